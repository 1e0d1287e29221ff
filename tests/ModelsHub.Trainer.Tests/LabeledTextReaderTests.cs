using ModelsHub.Trainer.Data;

namespace ModelsHub.Trainer.Tests;

public sealed class LabeledTextReaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("trainer-reader-").FullName;

    [Fact]
    public void CsvReadsTheTextAndLabelColumnsByNameWithQuotingAndLineBreaks()
    {
        var path = Write("data.csv", "id,Label,text\r\n1,sport,plain words\r\n2,finance,\"a, quoted \"\"text\"\"\nover two lines\"\n\n3,health,last\n");

        var rows = LabeledTextReader.Read(path, "csv");

        Assert.Equal([("plain words", "sport"), ("a, quoted \"text\"\nover two lines", "finance"), ("last", "health")], rows.Select(r => (r.Text, r.Label)));
    }

    [Theory]
    [InlineData("text,category\nhello,x\n", "no 'label' column")]
    [InlineData("text,label\nhello\n", "Line 2 has 1 fields")]
    [InlineData("text,label\nhello, \n", "line 2 has an empty label")]
    [InlineData("text,label\n\"never closed,x\n", "never ends")]
    public void CsvProblemsAreNamedWithTheirLine(string content, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => LabeledTextReader.Read(Write("bad.csv", content), "csv"));

        Assert.Contains(expected, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void JsonlCompletionTakesThePromptAsTextAndTheCompletionAsLabel()
    {
        var path = Write("data.jsonl", "{\"prompt\":\"goal in the final\",\"completion\":\" sport\"}\n\n{\"instruction\":\"classify\",\"input\":\"bond yield\",\"output\":\"finance\"}\n");

        var rows = LabeledTextReader.Read(path, "jsonl-completion");

        Assert.Equal([("goal in the final", "sport"), ("classify\nbond yield", "finance")], rows.Select(r => (r.Text, r.Label)));
    }

    [Fact]
    public void JsonlThatIsNotJsonIsNamedWithItsLine()
    {
        var error = Assert.Throws<InvalidDataException>(() => LabeledTextReader.Read(Write("bad.jsonl", "{\"prompt\":\"a\",\"completion\":\"b\"}\n{oops\n"), "jsonl-completion"));

        Assert.StartsWith("Line 2 is not JSON", error.Message);
    }

    [Fact]
    public void OtherFormatsAreRefused()
    {
        var error = Assert.Throws<InvalidDataException>(() => LabeledTextReader.Read(Write("x.jsonl", "{}"), "jsonl-chat"));

        Assert.Contains("csv or jsonl-completion", error.Message);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
