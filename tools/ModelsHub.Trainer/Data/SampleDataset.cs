using System.Globalization;
using System.Text;

namespace ModelsHub.Trainer.Data;

/// <summary>
/// A topic-classification dataset made on the spot (no download): short news-like sentences about
/// sport, finance, technology or health. Each sentence mixes words of its topic with words every
/// topic uses and a few of another topic, and a small share of labels is wrong, so a classifier
/// must learn from many examples and cannot reach 100 %. The same seed gives the same rows.
/// </summary>
public static class SampleDataset
{
    private static readonly Dictionary<string, string[]> TopicWords = new()
    {
        ["sport"] = Words("match goal striker league coach season keeper penalty tournament champion stadium referee midfield final "
            + "playoff defender sprint marathon medal olympic racket serve inning pitcher wicket relay podium squad transfer derby fixture"),
        ["finance"] = Words("market shares investor bond yield inflation dividend earnings bank loan interest rate currency stock "
            + "portfolio hedge fund merger acquisition revenue profit quarter audit budget deficit tax credit equity broker exchange"),
        ["technology"] = Words("software chip processor cloud server network startup app smartphone algorithm database browser "
            + "encryption robot sensor laptop update developer code platform silicon bandwidth compiler kernel gadget battery firmware"),
        ["health"] = Words("patient doctor hospital vaccine clinic disease therapy nurse symptom diagnosis surgery medicine "
            + "nutrition fitness virus infection dose trial cardiology cancer diet sleep wellness pharmacy immune treatment recovery"),
    };

    private static readonly string[] Shared = Words(
        "the a new report says today week after before with from over under record big small early late local national "
        + "official plans team group people city year first last more less strong weak high low announced expected growth change "
        + "public results new-look latest major minor rising falling");

    public static IReadOnlyList<string> Labels { get; } = [.. TopicWords.Keys];

    public static List<LabeledText> Generate(int rows, int seed, double labelNoise = 0.04)
    {
        var random = new Random(seed);
        var labels = Labels;
        var result = new List<LabeledText>(rows);
        for (var i = 0; i < rows; i++)
        {
            var topic = labels[random.Next(labels.Count)];
            var other = labels[random.Next(labels.Count)];
            var length = random.Next(7, 15);
            var words = new List<string>(length);
            for (var w = 0; w < length; w++)
            {
                var roll = random.NextDouble();
                var pool = roll < 0.28 ? TopicWords[topic] : roll < 0.40 ? TopicWords[other] : Shared;
                words.Add(pool[random.Next(pool.Length)]);
            }
            var label = random.NextDouble() < labelNoise ? labels[random.Next(labels.Count)] : topic;
            result.Add(new LabeledText { Text = string.Join(' ', words), Label = label });
        }
        return result;
    }

    public static void WriteCsv(IEnumerable<LabeledText> rows, string path)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        writer.Write("text,label\n");
        foreach (var row in rows)
        {
            writer.Write(Quote(row.Text));
            writer.Write(',');
            writer.Write(Quote(row.Label));
            writer.Write('\n');
        }
    }

    public static void WriteJsonl(IEnumerable<LabeledText> rows, string path)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        foreach (var row in rows)
        {
            writer.Write(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["prompt"] = row.Text, ["completion"] = row.Label }));
            writer.Write('\n');
        }
    }

    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static string[] Words(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    internal static string Describe(int rows, int seed) => string.Create(CultureInfo.InvariantCulture, $"{rows} rows, seed {seed}");
}
