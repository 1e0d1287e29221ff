using System.Text.Json;

namespace ModelsHub.Core.Datasets.Validation;

/// <summary>Wording shared by the JSON Lines checkers.</summary>
internal static class JsonText
{
    public static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "a list",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => "nothing",
    };

    /// <summary>The reader's complaint without its byte positions (the line is already named).</summary>
    public static string NotJson(JsonException ex)
    {
        var message = ex.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return "Is not valid JSON: " + (cut > 0 ? message[..cut].TrimEnd() : message);
    }

    public static string Shorten(string? text) => text is null ? "" : text.Length <= 40 ? text : text[..40] + "…";
}
