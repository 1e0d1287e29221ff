using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Microsoft.ML.Tokenizers;
using ModelsHub.Contracts.Datasets;
using ModelsHub.Core.Datasets;
using Parquet;
using Parquet.Schema;

namespace ModelsHub.UnitTests.Datasets;

public sealed class DatasetValidatorTests
{
    private static readonly DatasetValidator Validator = new(TimeProvider.System);

    private static async Task<DatasetValidation> ValidateAsync(DatasetFormat format, byte[] content, string fileName = "data")
    {
        using var stream = new MemoryStream(content);
        return await Validator.ValidateAsync(stream, content.Length, format, fileName, new string('0', 64), CancellationToken.None);
    }

    private static Task<DatasetValidation> ValidateAsync(DatasetFormat format, string text, string fileName = "data") =>
        ValidateAsync(format, Encoding.UTF8.GetBytes(text), fileName);

    private static string Chat(string user, string assistant, string? system = null) =>
        "{\"messages\":[" + (system is null ? "" : $"{{\"role\":\"system\",\"content\":\"{system}\"}},")
        + $"{{\"role\":\"user\",\"content\":\"{user}\"}},{{\"role\":\"assistant\",\"content\":\"{assistant}\"}}]}}";

    private static IEnumerable<(long? Line, string Message)> Errors(DatasetValidation v) => v.Errors.Select(e => (e.Line, e.Message));

    [Fact]
    public async Task AChatFileIsCountedWithItsRolesAndTokens()
    {
        var text = string.Join("\n", Chat("Hi", "Hello!", "Be brief."), Chat("What is 2+2?", "4"), Chat("你好", "你好！")) + "\n";
        var result = await ValidateAsync(DatasetFormat.JsonlChat, text);

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Equal(3, result.RecordCount);
        Assert.Equal(Encoding.UTF8.GetByteCount(text), result.SizeBytes);
        Assert.Equal(new Dictionary<string, long> { ["system"] = 1, ["user"] = 3, ["assistant"] = 3 }, result.Roles);
        var tokens = result.Tokens!;
        Assert.True(tokens.Exact);
        Assert.Equal("o200k_base", tokens.Encoding);
        var tokenizer = TiktokenTokenizer.CreateForEncoding("o200k_base");
        var content = new[] { "Be brief.", "Hi", "Hello!", "What is 2+2?", "4", "你好", "你好！" }.Sum(t => tokenizer.CountTokens(t + "\n"));
        // Plus the chat framing: 3 tokens per message and 3 per conversation.
        Assert.Equal(content + 3 * 7 + 3 * 3, tokens.Tokens);
    }

    [Fact]
    public async Task EveryBrokenChatLineIsReportedAtItsLine()
    {
        var lines = new[]
        {
            Chat("a", "b"),
            "{\"messages\": [",                                                             // 2: not JSON
            "{\"messages\":[{\"role\":\"user\",\"content\":\"only a question\"}]}",         // 3: no assistant
            "{\"messages\":[{\"role\":\"bot\",\"content\":\"x\"}]}",                       // 4: unknown role
            "",                                                                             // 5: blank
            "[1, 2]",                                                                       // 6: not an object
            "{\"messages\":[{\"role\":\"user\",\"content\":42},{\"role\":\"assistant\",\"content\":\"b\"}]}", // 7: content a number
            "{\"prompt\":\"a\",\"completion\":\"b\"}",                                      // 8: another format
            "{\"messages\":[{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"1\"}]},{\"role\":\"user\"}]}", // 9: user without content
            "{\"messages\":[]}",                                                            // 10: empty conversation
            Chat("c", "d") + " {}",                                                         // 11: two values
            "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"look\"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"x\"}}]},{\"role\":\"assistant\",\"content\":\"ok\"}]}",
            "",
            "",
        };
        var result = await ValidateAsync(DatasetFormat.JsonlChat, string.Join("\r\n", lines));

        Assert.False(result.IsValid);
        Assert.Equal([2L, 3, 4, 5, 6, 7, 8, 9, 10, 11], result.Errors.Select(e => e.Line!.Value));
        Assert.Equal(10, result.ErrorCount);
        Assert.StartsWith("Is not valid JSON", result.Errors[0].Message);
        Assert.Contains("no assistant message", result.Errors[1].Message);
        Assert.Contains("'bot' is not one of system, user, assistant", result.Errors[2].Message);
        Assert.Contains("blank", result.Errors[3].Message);
        Assert.Contains("not a list", result.Errors[4].Message);
        Assert.Contains("messages[0].content must be a string", result.Errors[5].Message);
        Assert.Contains("no \"messages\"", result.Errors[6].Message);
        Assert.Contains("messages[1] (user) has no \"content\"", result.Errors[7].Message);
        Assert.Contains("is empty", result.Errors[8].Message);
        Assert.StartsWith("Is not valid JSON", result.Errors[9].Message);
        // Blank lines at the end are not errors; the valid records still count.
        Assert.Equal(11, result.RecordCount);
        Assert.Equal(new Dictionary<string, long> { ["user"] = 2, ["assistant"] = 2 }, result.Roles);
        Assert.Equal("10 errors; the first: line 2: " + result.Errors[0].Message, result.Summary());
    }

    [Fact]
    public async Task ALineOverOneMebibyteIsAnErrorAndTheLinesAfterItStillCount()
    {
        var huge = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('x', DatasetValidator.MaxLineBytes) + "\"},{\"role\":\"assistant\",\"content\":\"y\"}]}";
        var longer = new string('z', 9 * DatasetValidator.MaxLineBytes);
        var text = string.Join("\n", Chat("a", "b"), huge, Chat("c", "d"), longer, "{oops", Chat("e", "f"));
        var result = await ValidateAsync(DatasetFormat.JsonlChat, text);

        Assert.Equal([(2L, true), (4L, true), (5L, false)], result.Errors.Select(e => (e.Line!.Value, e.Message.Contains("1 MiB"))));
        Assert.Equal(4, result.RecordCount);
        Assert.Equal(6, result.Roles!["user"] + result.Roles["assistant"]);
    }

    [Theory]
    [InlineData(DatasetFormat.JsonlChat)]
    [InlineData(DatasetFormat.JsonlCompletion)]
    [InlineData(DatasetFormat.Csv)]
    [InlineData(DatasetFormat.Parquet)]
    [InlineData(DatasetFormat.Archive)]
    public async Task AnEmptyFileIsInvalid(DatasetFormat format)
    {
        var result = await ValidateAsync(format, []);
        Assert.Equal([(null, "Is empty.")], Errors(result));
        Assert.Equal(0, result.RecordCount);
    }

    [Fact]
    public async Task AFileOfBlankLinesHoldsNoRecords()
    {
        var result = await ValidateAsync(DatasetFormat.JsonlChat, "\n\n  \n");
        Assert.Equal([(null, "Holds no records.")], Errors(result));
    }

    [Fact]
    public async Task AFileThatIsNotUtf8IsReportedPerLine()
    {
        var bytes = Encoding.UTF8.GetBytes(Chat("a", "b") + "\n").Concat(new byte[] { 0x7B, 0xFF, 0xFE, 0x7D, 0x0A }).ToArray();
        var result = await ValidateAsync(DatasetFormat.JsonlChat, bytes);
        Assert.Equal([(2L, "Is not UTF-8 text.")], Errors(result));
    }

    [Fact]
    public async Task CompletionRecordsKeepToOneStyle()
    {
        var text = string.Join("\n",
            "{\"prompt\":\"2+2=\",\"completion\":\"4\"}",
            "{\"prompt\":\"capital of France?\",\"completion\":\"Paris\",\"meta\":{\"source\":\"quiz\"}}",
            "{\"instruction\":\"Translate\",\"input\":\"hola\",\"output\":\"hello\"}",
            "{\"prompt\":\"x\"}",
            "{\"prompt\":\"x\",\"completion\":\"\"}",
            "{\"prompt\":\"x\",\"completion\":\"y\",\"output\":\"z\"}",
            "{\"prompt\":1,\"completion\":\"y\"}",
            "{\"text\":\"free text\"}");
        var result = await ValidateAsync(DatasetFormat.JsonlCompletion, text);

        Assert.Equal([3L, 4, 5, 6, 7, 8], result.Errors.Select(e => e.Line!.Value));
        Assert.Contains("line 1 set the file's style to prompt/completion", result.Errors[0].Message);
        Assert.Contains("no \"completion\"", result.Errors[1].Message);
        Assert.Contains("\"completion\" is empty", result.Errors[2].Message);
        Assert.Contains("Mixes", result.Errors[3].Message);
        Assert.Contains("\"prompt\" must be a string, not a number", result.Errors[4].Message);
        Assert.Contains("Must have \"prompt\" and \"completion\"", result.Errors[5].Message);
        Assert.Equal(["prompt", "completion"], result.Columns);
        Assert.Equal(8, result.RecordCount);
    }

    [Fact]
    public async Task InstructionRecordsListTheirFields()
    {
        var text = "{\"instruction\":\"Summarize\",\"output\":\"Short.\"}\n{\"instruction\":\"Translate\",\"input\":\"hola\",\"output\":\"hello\"}\n";
        var result = await ValidateAsync(DatasetFormat.JsonlCompletion, text);
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Equal(["instruction", "input", "output"], result.Columns);
        Assert.True(result.Tokens!.Tokens > 0);
    }

    [Fact]
    public async Task ACsvFileListsItsColumnsAndCountsRows()
    {
        var text = "question,answer,score\n\"What is 2+2?\",4,1\n\"A \"\"quoted\"\" one\",\"two\nlines\",0.5\nlast,row,3\n";
        var result = await ValidateAsync(DatasetFormat.Csv, text);
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Equal(["question", "answer", "score"], result.Columns);
        Assert.Equal(3, result.RecordCount);
        Assert.True(result.Tokens!.Exact);
    }

    [Fact]
    public async Task RaggedCsvRowsAreReportedAtTheLineWhereTheyStart()
    {
        var text = "a,b,c\n1,2,3\n4,5\n\"multi\nline\",6,7\n8,9,10,11\n12,13,14\n";
        var result = await ValidateAsync(DatasetFormat.Csv, text);
        Assert.Equal([(3L, "Has 2 fields but the header has 3."), (6L, "Has 4 fields but the header has 3.")], Errors(result));
        Assert.Equal(5, result.RecordCount);
    }

    [Fact]
    public async Task ACsvHeaderWithoutRowsOrWithDuplicateNamesIsInvalid()
    {
        Assert.Equal([(null, "Has a header row but no records.")], Errors(await ValidateAsync(DatasetFormat.Csv, "a,b\n")));
        var duplicate = await ValidateAsync(DatasetFormat.Csv, "a,a,\n1,2,3\n");
        Assert.Equal([1L, 1L], duplicate.Errors.Select(e => e.Line!.Value));
        Assert.Contains("twice", duplicate.Errors[0].Message + duplicate.Errors[1].Message);
        Assert.Contains("no name", duplicate.Errors[0].Message + duplicate.Errors[1].Message);
    }

    [Fact]
    public async Task AParquetFileListsItsColumnsAndCountsRowsAcrossRowGroups()
    {
        var text = new DataField<string>("text");
        var label = new DataField<int>("label");
        using var file = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(text, label), file))
        {
            foreach (var rows in new[] { 3, 2 })
            {
                using var group = writer.CreateRowGroup();
                await group.WriteAsync(text, Enumerable.Range(0, rows).Select(i => $"row {i}").ToArray());
                await group.WriteAsync<int>(label, Enumerable.Range(0, rows).ToArray());
            }
        }
        var result = await ValidateAsync(DatasetFormat.Parquet, file.ToArray());
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Equal(["text", "label"], result.Columns);
        Assert.Equal(5, result.RecordCount);
    }

    [Fact]
    public async Task AParquetFileWithoutRowsOrThatIsNotParquetIsInvalid()
    {
        var text = new DataField<string>("text");
        using var file = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(text), file))
        {
        }
        Assert.Equal([(null, "Has no rows.")], Errors(await ValidateAsync(DatasetFormat.Parquet, file.ToArray())));

        var notParquet = await ValidateAsync(DatasetFormat.Parquet, "a,b\n1,2\n");
        Assert.Single(notParquet.Errors);
        Assert.StartsWith("Is not a readable Parquet file", notParquet.Errors[0].Message);
    }

    [Fact]
    public async Task AZipIsListedWithItsFileCountAndSize()
    {
        using var file = new MemoryStream();
        using (var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true))
        {
            zip.CreateEntry("images/");
            foreach (var (name, size) in new[] { ("images/cat.png", 100), ("images/dog.png", 250), ("labels.csv", 30) })
            {
                using var entry = zip.CreateEntry(name).Open();
                entry.Write(new byte[size]);
            }
        }
        var result = await ValidateAsync(DatasetFormat.Archive, file.ToArray(), "pets.zip");
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Equal((3L, 380L, false), (result.Archive!.FileCount, result.Archive.TotalBytes, result.Archive.Truncated));
        Assert.Equal(["images/cat.png", "images/dog.png", "labels.csv"], result.Archive.Entries.Select(e => e.Path));
        Assert.Equal(0, result.RecordCount);
        Assert.Null(result.Tokens);
    }

    [Fact]
    public async Task ATarGzIsListedAndAnEntryOutsideTheArchiveIsAnError()
    {
        using var file = new MemoryStream();
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip))
        {
            foreach (var name in new[] { "data/a.wav", "../escape.sh" })
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(new byte[64]) });
            }
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "data/"));
        }
        var result = await ValidateAsync(DatasetFormat.Archive, file.ToArray(), "audio.tar.gz");
        Assert.Equal((2L, 128L), (result.Archive!.FileCount, result.Archive.TotalBytes));
        Assert.Equal([(null, "Entry '../escape.sh' points outside the archive (an absolute path or '..').")], Errors(result));
    }

    [Theory]
    [InlineData("broken.zip")]
    [InlineData("broken.tar")]
    [InlineData("broken.tgz")]
    public async Task AnArchiveThatDoesNotReadIsInvalid(string fileName)
    {
        var result = await ValidateAsync(DatasetFormat.Archive, Encoding.UTF8.GetBytes(new string('x', 5000)), fileName);
        Assert.False(result.IsValid);
        Assert.Null(result.Errors[0].Line);
    }

    [Fact]
    public async Task AnEmptyZipHoldsNoFiles()
    {
        using var file = new MemoryStream();
        using (new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true))
        {
        }
        Assert.Equal([(null, "Holds no files.")], Errors(await ValidateAsync(DatasetFormat.Archive, file.ToArray(), "empty.zip")));
    }

    [Fact]
    public async Task OnlyTheFirstHundredErrorsAreListedButAllAreCounted()
    {
        var text = string.Join("\n", Enumerable.Range(0, 250).Select(i => "not json"));
        var result = await ValidateAsync(DatasetFormat.JsonlChat, text);
        Assert.Equal(250, result.ErrorCount);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), result.Errors.Select(e => e.Line!.Value));
    }

    [Fact]
    public async Task TheTokenEstimateOfALargeFileIsCloseToTheExactCount()
    {
        var words = "the quick brown fox jumps over the lazy dog while seven wizards quietly judge boxing matches".Split(' ');
        var random = new Random(7);
        var lines = Enumerable.Range(0, 6000).Select(i =>
        {
            var user = string.Join(' ', Enumerable.Range(0, 20 + random.Next(80)).Select(_ => words[random.Next(words.Length)]));
            var reply = string.Join(' ', Enumerable.Range(0, 20 + random.Next(200)).Select(_ => words[random.Next(words.Length)]));
            return (user, reply);
        }).ToList();
        var result = await ValidateAsync(DatasetFormat.JsonlChat, string.Join("\n", lines.Select(l => Chat(l.user, l.reply))));

        var tokenizer = TiktokenTokenizer.CreateForEncoding("o200k_base");
        var exact = lines.Sum(l => tokenizer.CountTokens(l.user + "\n") + tokenizer.CountTokens(l.reply + "\n")) + lines.Count * (3 + 2 * 3);
        Assert.False(result.Tokens!.Exact);
        Assert.True(result.Tokens.SampledRecords < lines.Count, $"sampled {result.Tokens.SampledRecords}");
        Assert.InRange(result.Tokens.Tokens, exact * 0.97, exact * 1.03);
    }
}
