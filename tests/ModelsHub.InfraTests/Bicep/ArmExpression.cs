using System.Globalization;
using System.Text;

namespace ModelsHub.InfraTests.Bicep;

/// <summary>
/// The part of the ARM template language a snapshot leaves in values it cannot evaluate locally:
/// <c>[f('a', g(1).p, ...)]</c> with string and integer literals, calls and property access. Enough to read
/// which arguments a <c>guid(...)</c> takes and to evaluate <c>format(...)</c> around values only Azure knows.
/// </summary>
public abstract record ArmNode
{
    /// <summary>The expression of <c>[...]</c>, or null for plain text (including an escaped <c>[[</c>).</summary>
    public static ArmNode? TryParse(string value)
    {
        if (value.Length < 2 || value[0] != '[' || value[^1] != ']' || value.StartsWith("[[", StringComparison.Ordinal))
        {
            return null;
        }
        var parser = new Parser(value[1..^1]);
        var node = parser.Expression();
        parser.End();
        return node;
    }

    /// <summary>A value: the literal, or (for a call or property) what <paramref name="resolve"/> says; format/concat/toLower are evaluated.</summary>
    public string Evaluate(Func<ArmNode, string?> resolve) => this switch
    {
        ArmLiteral literal => literal.Value,
        ArmCall { Name: "format" } call => string.Format(CultureInfo.InvariantCulture, call.Arguments[0].Evaluate(resolve),
            call.Arguments.Skip(1).Select(a => (object)a.Evaluate(resolve)).ToArray()),
        ArmCall { Name: "concat" } call => string.Concat(call.Arguments.Select(a => a.Evaluate(resolve))),
        ArmCall { Name: "toLower" } call => call.Arguments[0].Evaluate(resolve).ToLowerInvariant(),
        _ => resolve(this) ?? throw new InvalidOperationException($"No value for {this}."),
    };

    private sealed class Parser(string text)
    {
        private int _at;

        public ArmNode Expression()
        {
            Skip();
            ArmNode node;
            if (Peek() == '\'')
            {
                node = new ArmLiteral(Quoted());
            }
            else if (char.IsDigit(Peek()) || Peek() == '-')
            {
                var start = _at++;
                while (_at < text.Length && char.IsDigit(text[_at])) _at++;
                node = new ArmLiteral(text[start.._at]);
            }
            else
            {
                var name = Name();
                Expect('(');
                var arguments = new List<ArmNode>();
                Skip();
                if (Peek() != ')')
                {
                    do
                    {
                        arguments.Add(Expression());
                        Skip();
                    }
                    while (TryTake(','));
                }
                Expect(')');
                node = new ArmCall(name, arguments);
            }
            while (TryTake('.'))
            {
                node = new ArmMember(node, Name());
            }
            return node;
        }

        public void End()
        {
            Skip();
            if (_at != text.Length) throw new FormatException($"Unexpected '{text[_at..]}' in [{text}].");
        }

        private string Quoted()
        {
            var value = new StringBuilder();
            _at++;
            while (true)
            {
                if (_at >= text.Length) throw new FormatException($"Unterminated string in [{text}].");
                if (text[_at] == '\'')
                {
                    if (_at + 1 < text.Length && text[_at + 1] == '\'')
                    {
                        value.Append('\'');
                        _at += 2;
                        continue;
                    }
                    _at++;
                    return value.ToString();
                }
                value.Append(text[_at++]);
            }
        }

        private string Name()
        {
            Skip();
            var start = _at;
            while (_at < text.Length && (char.IsLetterOrDigit(text[_at]) || text[_at] == '_')) _at++;
            if (_at == start) throw new FormatException($"Expected a name at {start} in [{text}].");
            return text[start.._at];
        }

        private char Peek() => _at < text.Length ? text[_at] : '\0';

        private void Skip()
        {
            while (_at < text.Length && char.IsWhiteSpace(text[_at])) _at++;
        }

        private bool TryTake(char c)
        {
            Skip();
            if (Peek() != c) return false;
            _at++;
            return true;
        }

        private void Expect(char c)
        {
            if (!TryTake(c)) throw new FormatException($"Expected '{c}' at {_at} in [{text}].");
        }
    }
}

public sealed record ArmLiteral(string Value) : ArmNode
{
    public override string ToString() => "'" + Value.Replace("'", "''", StringComparison.Ordinal) + "'";
}

public sealed record ArmCall(string Name, IReadOnlyList<ArmNode> Arguments) : ArmNode
{
    public override string ToString() => $"{Name}({string.Join(", ", Arguments)})";
}

public sealed record ArmMember(ArmNode Target, string Property) : ArmNode
{
    public override string ToString() => $"{Target}.{Property}";
}

/// <summary>ARM's <c>guid(...)</c>: a name-based (SHA-1, version 5) UUID of the arguments joined with '-'.</summary>
public static class ArmGuid
{
    private static readonly Guid Namespace = new("11fb06fb-712d-4ddd-98c7-e71bbd588830");

    public static Guid Of(params string[] arguments)
    {
        var name = Encoding.UTF8.GetBytes(string.Join('-', arguments));
        var input = Namespace.ToByteArray(bigEndian: true).Concat(name).ToArray();
        var hash = System.Security.Cryptography.SHA1.HashData(input).AsSpan(0, 16).ToArray();
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash, bigEndian: true);
    }
}
