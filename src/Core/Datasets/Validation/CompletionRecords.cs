using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace ModelsHub.Core.Datasets.Validation;

/// <summary>
/// jsonl-completion: each line <c>{"prompt": …, "completion": …}</c>, or in the instruction style
/// <c>{"instruction": …, "input"?: …, "output": …}</c>, strings all; the answer must not be empty.
/// One file keeps to one style (the first valid record's). Other fields are allowed.
/// </summary>
internal sealed class CompletionRecords(ValidationReport report) : ILineChecker
{
    private enum Style { None, PromptCompletion, Instruction }

    private static readonly string[] Fields = ["prompt", "completion", "instruction", "input", "output"];
    private static readonly byte[][] FieldBytes = [.. Fields.Select(Encoding.UTF8.GetBytes)];
    private const int Prompt = 0, Completion = 1, Instruction = 2, Input = 3, Output = 4;

    private Style _style;
    private long _styleLine;
    private bool _sawInput;

    public void Check(long line, ReadOnlySpan<byte> content)
    {
        report.RecordCount++;
        Span<int> lengths = stackalloc int[Fields.Length];
        lengths.Fill(-1);
        var error = Utf8.IsValid(content) ? Read(content, lengths) : "Is not UTF-8 text.";
        if (error is null)
        {
            error = Judge(lengths, line);
        }
        if (error is not null)
        {
            report.AddError(line, error);
            return;
        }
        long textBytes = 0;
        foreach (var length in lengths)
        {
            textBytes += Math.Max(length, 0);
        }
        if (report.Tokens.Add(textBytes, 0))
        {
            report.Tokens.AddSample(TextOf(content));
        }
    }

    /// <summary>The fields of the file's style, in order.</summary>
    public IReadOnlyList<string>? Columns() => _style switch
    {
        Style.PromptCompletion => ["prompt", "completion"],
        Style.Instruction => _sawInput ? ["instruction", "input", "output"] : ["instruction", "output"],
        _ => null,
    };

    /// <summary>Reads the five fields' lengths (-1 when absent) and checks that each present one is a string.</summary>
    private static string? Read(ReadOnlySpan<byte> json, Span<int> lengths)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return $"Must be a JSON object {{\"prompt\", \"completion\"}} or {{\"instruction\", \"input\", \"output\"}}, not {JsonText.Describe(reader.TokenType)}.";
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = -1;
                for (var i = 0; i < FieldBytes.Length && field < 0; i++)
                {
                    if (reader.ValueTextEquals(FieldBytes[i])) field = i;
                }
                reader.Read();
                if (field < 0)
                {
                    reader.Skip();
                    continue;
                }
                if (reader.TokenType != JsonTokenType.String)
                {
                    return $"\"{Fields[field]}\" must be a string, not {JsonText.Describe(reader.TokenType)}.";
                }
                lengths[field] = reader.ValueSpan.Length;
            }
            reader.Read();
            return null;
        }
        catch (JsonException ex)
        {
            return JsonText.NotJson(ex);
        }
    }

    private string? Judge(ReadOnlySpan<int> lengths, long line)
    {
        var promptStyle = lengths[Prompt] >= 0 || lengths[Completion] >= 0;
        var instructionStyle = lengths[Instruction] >= 0 || lengths[Output] >= 0;
        if (promptStyle && instructionStyle)
        {
            return "Mixes the prompt/completion and instruction/output styles; use one.";
        }
        if (!promptStyle && !instructionStyle)
        {
            return "Must have \"prompt\" and \"completion\", or \"instruction\" and \"output\" (with an optional \"input\").";
        }
        var style = promptStyle ? Style.PromptCompletion : Style.Instruction;
        var (question, answer) = promptStyle ? (Prompt, Completion) : (Instruction, Output);
        if (lengths[question] < 0)
        {
            return $"Has \"{Fields[answer]}\" but no \"{Fields[question]}\".";
        }
        if (lengths[answer] < 0)
        {
            return $"Has \"{Fields[question]}\" but no \"{Fields[answer]}\".";
        }
        if (lengths[answer] == 0)
        {
            return $"\"{Fields[answer]}\" is empty; the model would learn to answer nothing.";
        }
        if (_style == Style.None)
        {
            (_style, _styleLine) = (style, line);
        }
        else if (style != _style)
        {
            return $"Uses the {Name(style)} style, but line {_styleLine} set the file's style to {Name(_style)}; one file keeps to one style.";
        }
        _sawInput |= lengths[Input] >= 0;
        return null;
    }

    private static string Name(Style style) => style == Style.PromptCompletion ? "prompt/completion" : "instruction/output";

    private static string TextOf(ReadOnlySpan<byte> json)
    {
        using var document = JsonDocument.Parse(json.ToArray());
        var text = new StringBuilder();
        foreach (var field in Fields)
        {
            if (document.RootElement.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String)
            {
                text.Append(value.GetString()).Append('\n');
            }
        }
        return text.ToString();
    }
}
