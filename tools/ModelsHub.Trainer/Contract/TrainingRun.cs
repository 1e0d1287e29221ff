using System.Globalization;
using System.Text.Json;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Training;
using ModelsHub.Trainer.Data;
using ModelsHub.Trainer.Learning;

namespace ModelsHub.Trainer.Contract;

/// <summary>Where a run's inputs are and where its output goes: files on disk (by hand) or the hub (the contract).</summary>
public sealed record RunInputs(string BaseModelPath, string DatasetPath, string DatasetFormat, ReferenceHyperparameters Hyperparameters, string WorkDirectory);

/// <summary>
/// One training run of the reference trainer, reporting as the contract says: <c>log</c> lines,
/// the base model's evaluation (step 0), then per epoch a <c>progress</c> line and <c>metric</c>
/// lines (<c>loss</c> on the training rows, <c>accuracy</c>, <c>macroAccuracy</c> and
/// <c>validationLoss</c> on the held-out rows), a <c>checkpoint</c> every
/// <c>checkpointEvery</c> epochs, and at the end the model file written to the work folder.
/// </summary>
public sealed class TrainingRun(IEventSink events)
{
    /// <summary>The output's file name in the new model version.</summary>
    public const string OutputFileName = "model.zip";

    public (string OutputPath, TrainingResult Result) Run(RunInputs inputs, int checkpointEvery, CancellationToken cancellationToken)
    {
        Log($"reading {inputs.DatasetFormat} dataset {Path.GetFileName(inputs.DatasetPath)}");
        var rows = LabeledTextReader.Read(inputs.DatasetPath, inputs.DatasetFormat);
        Log($"{rows.Count} rows; loading the base model {Path.GetFileName(inputs.BaseModelPath)}");
        var model = TextClassifier.Load(inputs.BaseModelPath, inputs.Hyperparameters.Seed);
        Log($"the base model knows {model.Labels.Count} classes: {string.Join(", ", model.Labels)}");
        var h = inputs.Hyperparameters;
        var totalSteps = (long)h.Epochs * h.IterationsPerEpoch;
        var checkpoints = Path.Combine(inputs.WorkDirectory, "checkpoints");
        Directory.CreateDirectory(checkpoints);
        var (trained, result) = model.ContinueTraining(rows, h,
            onBaseline: (before, loss) =>
            {
                events.Post(new TrainerEvent(0, TrainerEventType.Progress, Step: 0, TotalSteps: totalSteps, Epoch: 0, Percent: 0));
                events.Post(new TrainerEvent(0, TrainerEventType.Metric, Step: 0, Epoch: 0, Name: "loss", Value: loss));
                if (before is not null)
                {
                    PostEvaluation(before, 0, 0);
                }
            },
            onEpoch: (epoch, snapshot) =>
            {
                var perEpoch = epoch.Elapsed.TotalSeconds / epoch.Epoch;
                events.Post(new TrainerEvent(0, TrainerEventType.Progress, Step: epoch.Step, TotalSteps: epoch.TotalSteps, Epoch: epoch.Epoch,
                    Percent: Math.Round(100.0 * epoch.Step / epoch.TotalSteps, 2), EtaSeconds: Math.Round(perEpoch * (epoch.Epochs - epoch.Epoch), 1)));
                events.Post(new TrainerEvent(0, TrainerEventType.Metric, Step: epoch.Step, Epoch: epoch.Epoch, Name: "loss", Value: epoch.Loss));
                if (epoch.Validation is { } v)
                {
                    PostEvaluation(v, epoch.Step, epoch.Epoch);
                }
                if (checkpointEvery > 0 && epoch.Epoch % checkpointEvery == 0 && epoch.Epoch < epoch.Epochs)
                {
                    var name = $"epoch-{epoch.Epoch}";
                    var path = Path.Combine(checkpoints, name + ".zip");
                    snapshot().Save(path);
                    events.Post(new TrainerEvent(0, TrainerEventType.Checkpoint, Step: epoch.Step, Epoch: epoch.Epoch, Name: name,
                        Size: new FileInfo(path).Length, Sha256: HubTransfers.HashAsync(path, CancellationToken.None).GetAwaiter().GetResult()));
                }
            },
            cancellationToken: cancellationToken);
        Log(string.Create(CultureInfo.InvariantCulture,
            $"trained on {result.TrainRows} rows ({result.SkippedRows} skipped) for {h.Epochs} epochs in {result.Duration.TotalSeconds:0.0} s: {result.RowsPerSecond:0} rows/s; loss {result.FirstLoss:0.####} → {result.LastLoss:0.####}"));
        if (result.Before is { } b && result.After is { } a)
        {
            Log(string.Create(CultureInfo.InvariantCulture, $"accuracy on {a.Rows} held-out rows: {b.Accuracy:0.###} before, {a.Accuracy:0.###} after"));
        }
        var output = Path.Combine(inputs.WorkDirectory, OutputFileName);
        trained.Save(output);
        return (output, result);
    }

    /// <summary>The final metrics a run hands the hub with its output (they become the new version's metrics).</summary>
    public static Dictionary<string, double> FinalMetrics(TrainingResult result)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["loss"] = Round(result.LastLoss),
            ["trainRows"] = result.TrainRows,
            ["rowsPerSecond"] = Math.Round(result.RowsPerSecond),
        };
        if (result.After is { } a)
        {
            metrics["accuracy"] = Round(a.Accuracy);
            metrics["macroAccuracy"] = Round(a.MacroAccuracy);
            metrics["validationLoss"] = Round(a.LogLoss);
        }
        if (result.Before is { } b)
        {
            metrics["baseAccuracy"] = Round(b.Accuracy);
        }
        return metrics;
    }

    public static ReferenceHyperparameters ParseHyperparameters(string? json, out int checkpointEvery)
    {
        checkpointEvery = 0;
        if (string.IsNullOrWhiteSpace(json))
        {
            return new ReferenceHyperparameters();
        }
        using var document = JsonDocument.Parse(json);
        var h = new ReferenceHyperparameters();
        foreach (var p in document.RootElement.EnumerateObject())
        {
            h = p.Name switch
            {
                "epochs" => h with { Epochs = p.Value.GetInt32() },
                "iterationsPerEpoch" => h with { IterationsPerEpoch = p.Value.GetInt32() },
                "l2Regularization" => h with { L2Regularization = p.Value.GetDouble() },
                "l1Regularization" => h with { L1Regularization = p.Value.GetDouble() },
                "historySize" => h with { HistorySize = p.Value.GetInt32() },
                "validationFraction" => h with { ValidationFraction = p.Value.GetDouble() },
                "seed" => h with { Seed = p.Value.GetInt32() },
                "checkpointEvery" => h,
                _ => throw new InvalidDataException($"The reference trainer does not take the hyperparameter '{p.Name}'."),
            };
            if (p.Name == "checkpointEvery")
            {
                checkpointEvery = p.Value.GetInt32();
            }
        }
        return h;
    }

    private void PostEvaluation(Evaluation evaluation, long step, int epoch)
    {
        events.Post(new TrainerEvent(0, TrainerEventType.Metric, Step: step, Epoch: epoch, Name: "accuracy", Value: evaluation.Accuracy));
        events.Post(new TrainerEvent(0, TrainerEventType.Metric, Step: step, Epoch: epoch, Name: "macroAccuracy", Value: evaluation.MacroAccuracy));
        events.Post(new TrainerEvent(0, TrainerEventType.Metric, Step: step, Epoch: epoch, Name: "validationLoss", Value: evaluation.LogLoss));
    }

    private void Log(string message) => events.Post(new TrainerEvent(0, TrainerEventType.Log, Level: "info", Message: message));

    private static double Round(double value) => Math.Round(value, 6);

    internal static string Serialize(object value) => JsonSerializer.Serialize(value, ContractJson.RequestOptions);
}
