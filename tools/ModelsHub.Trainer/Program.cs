using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Training;
using ModelsHub.Trainer.Contract;
using ModelsHub.Trainer.Data;
using ModelsHub.Trainer.Learning;

// The reference trainer (docs/trainer-contract.md). Commands:
//   train                      as the hub starts it: everything from MODELSHUB_* variables
//   train --base M --data D --output O [--format F] [--hyperparameters JSON]   by hand; events on stdout
//   init --data D --output M [--format F] [--rows 16] [--iterations 3]         a base model
//   sample --output D [--rows 2000] [--seed 7]                                  a topic-classification dataset (.csv or .jsonl)
//   predict --model M --text T     |     evaluate --model M --data D [--format F]
using var cancel = new CancellationTokenSource();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancel.Cancel();
});
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
try
{
    var options = Options.Parse(args.Skip(1));
    return args.FirstOrDefault() switch
    {
        "train" when Environment.GetEnvironmentVariable(TrainerEnvironment.JobId) is { Length: > 0 } => await HubRun.RunAsync(cancel.Token),
        "train" => await TrainByHandAsync(options, cancel.Token),
        "init" => Init(options),
        "sample" => Sample(options),
        "predict" => Predict(options),
        "evaluate" => Evaluate(options),
        _ => Usage(),
    };
}
catch (Exception ex) when (ex is InvalidDataException or ArgumentException or FileNotFoundException)
{
    await Console.Error.WriteLineAsync("error: " + ex.Message);
    return 2;
}

static async Task<int> TrainByHandAsync(Options options, CancellationToken cancellationToken)
{
    var data = options.Require("data");
    var output = options.Require("output");
    var hyperparameters = TrainingRun.ParseHyperparameters(options.Get("hyperparameters"), out var checkpointEvery);
    var work = Path.Combine(Path.GetTempPath(), "modelshub-trainer", Guid.NewGuid().ToString("N"));
    Directory.CreateDirectory(work);
    try
    {
        await using var events = new WriterEventSink(Console.Out);
        var (path, result) = new TrainingRun(events).Run(
            new RunInputs(options.Require("base"), data, options.Get("format") ?? LabeledTextReader.FormatOf(data), hyperparameters, work), checkpointEvery, cancellationToken);
        File.Copy(path, output, overwrite: true);
        var info = new FileInfo(output);
        events.Post(new TrainerEvent(0, TrainerEventType.Output, FileName: info.Name, Size: info.Length,
            Sha256: await HubTransfers.HashAsync(output, cancellationToken), Metrics: TrainingRun.FinalMetrics(result)));
        return 0;
    }
    finally
    {
        Directory.Delete(work, recursive: true);
    }
}

static int Init(Options options)
{
    var data = options.Require("data");
    var output = options.Require("output");
    var rows = LabeledTextReader.Read(data, options.Get("format") ?? LabeledTextReader.FormatOf(data));
    var few = options.Int("rows", 16);
    var model = TextClassifier.Init(rows, few, options.Int("iterations", 3), options.Int("seed", 1));
    model.Save(output);
    var evaluation = model.Evaluate(rows.Skip(few).ToList());
    Console.WriteLine(JsonSerializer.Serialize(new
    {
        model = output,
        classes = model.Labels,
        trainedOn = Math.Min(few, rows.Count),
        metrics = new { accuracy = Math.Round(evaluation.Accuracy, 6), validationLoss = Math.Round(evaluation.LogLoss, 6) },
    }, ContractJson.RequestOptions));
    return 0;
}

static int Sample(Options options)
{
    var output = options.Require("output");
    var rows = SampleDataset.Generate(options.Int("rows", 2000), options.Int("seed", 7));
    if (LabeledTextReader.FormatOf(output) == LabeledTextReader.JsonlCompletion)
    {
        SampleDataset.WriteJsonl(rows, output);
    }
    else
    {
        SampleDataset.WriteCsv(rows, output);
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{output}: {rows.Count} rows, classes {string.Join(", ", SampleDataset.Labels)}"));
    return 0;
}

static int Predict(Options options)
{
    var model = TextClassifier.Load(options.Require("model"));
    var prediction = model.Predict(options.Require("text"));
    Console.WriteLine(JsonSerializer.Serialize(new { label = prediction.Label, scores = prediction.Scores }, ContractJson.RequestOptions));
    return 0;
}

static int Evaluate(Options options)
{
    var model = TextClassifier.Load(options.Require("model"));
    var data = options.Require("data");
    var evaluation = model.Evaluate(LabeledTextReader.Read(data, options.Get("format") ?? LabeledTextReader.FormatOf(data)));
    Console.WriteLine(JsonSerializer.Serialize(evaluation, ContractJson.RequestOptions));
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: ModelsHub.Trainer train | init --data D --output M | sample --output D | predict --model M --text T | evaluate --model M --data D");
    return 64;
}

/// <summary>--name value pairs.</summary>
internal sealed class Options(Dictionary<string, string> values)
{
    public static Options Parse(IEnumerable<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        string? name = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                name = arg[2..];
                values[name] = "";
            }
            else if (name is not null)
            {
                values[name] = arg;
                name = null;
            }
            else
            {
                throw new ArgumentException($"Unexpected argument '{arg}'.");
            }
        }
        return new Options(values);
    }

    public string? Get(string name) => values.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    public string Require(string name) => Get(name) ?? throw new ArgumentException($"--{name} is required.");

    public int Int(string name, int fallback) =>
        Get(name) is { } text ? int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value
            : throw new ArgumentException($"--{name} must be a positive whole number.") : fallback;
}
