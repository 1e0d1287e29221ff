using ModelsHub.Trainer.Data;
using ModelsHub.Trainer.Learning;

namespace ModelsHub.Trainer.Tests;

/// <summary>The reference trainer's learning: continued training from a base model lowers the loss, raises accuracy, and leaves a model that loads and predicts.</summary>
public sealed class TextClassifierTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("trainer-tests-").FullName;

    private static readonly List<LabeledText> Rows = SampleDataset.Generate(1200, seed: 11);

    private static readonly ReferenceHyperparameters FiveEpochs = new() { Epochs = 5, IterationsPerEpoch = 8 };

    [Fact]
    public void ContinuedTrainingLowersTheLossEveryEpochAndBeatsTheBaseModel()
    {
        var baseModel = TextClassifier.Init(Rows, trainRows: 16, iterations: 3, seed: 1);
        var losses = new List<double>();
        double? baseLoss = null;

        var (_, result) = baseModel.ContinueTraining(Rows, FiveEpochs, onEpoch: (e, _) => losses.Add(e.Loss), onBaseline: (_, loss) => baseLoss = loss);

        Assert.Equal(5, losses.Count);
        Assert.Equal(baseLoss, result.FirstLoss);
        Assert.True(losses[0] < baseLoss, $"the first epoch's loss {losses[0]} is not below the base model's {baseLoss}");
        for (var i = 1; i < losses.Count; i++)
        {
            Assert.True(losses[i] <= losses[i - 1] + 1e-9, $"loss rose from {losses[i - 1]} to {losses[i]} at epoch {i + 1}");
        }
        Assert.True(result.LastLoss < result.FirstLoss / 4, $"loss {result.FirstLoss} → {result.LastLoss}");
        Assert.NotNull(result.Before);
        Assert.NotNull(result.After);
        Assert.True(result.After.Accuracy > result.Before.Accuracy + 0.25, $"held-out accuracy {result.Before.Accuracy} → {result.After.Accuracy}");
        Assert.Equal(240, result.After.Rows);
        Assert.Equal(960, result.TrainRows);
    }

    [Fact]
    public void TheOutputLoadsOnItsOwnAndPredictsEachTopic()
    {
        var (tuned, _) = TextClassifier.Init(Rows, 16, 3, 1).ContinueTraining(Rows, FiveEpochs);
        var path = Path.Combine(_folder, "model.zip");
        tuned.Save(path);

        var loaded = TextClassifier.Load(path);

        Assert.Equal(["finance", "health", "sport", "technology"], loaded.Labels);
        Assert.Equal("sport", loaded.Predict("the striker scored a penalty in the league final at the stadium").Label);
        Assert.Equal("finance", loaded.Predict("the bank raised the interest rate as bond yield and inflation rose").Label);
        Assert.Equal("technology", loaded.Predict("the developer shipped a firmware update for the smartphone chip").Label);
        var health = loaded.Predict("the doctor said the vaccine trial at the hospital helped every patient");
        Assert.Equal("health", health.Label);
        Assert.Equal(1.0, health.Scores.Values.Sum(), 3);
        Assert.Equal(tuned.Evaluate(Rows).Accuracy, loaded.Evaluate(Rows).Accuracy, 6);
    }

    [Fact]
    public void TrainingResumesFromTheBaseModelsWeightsNotFromScratch()
    {
        var weak = TextClassifier.Init(Rows, 16, 3, 1);
        var (strong, _) = weak.ContinueTraining(Rows, FiveEpochs);
        var path = Path.Combine(_folder, "strong.zip");
        strong.Save(path);
        var oneStep = new ReferenceHyperparameters { Epochs = 1, IterationsPerEpoch = 1 };

        var (_, fromStrong) = TextClassifier.Load(path).ContinueTraining(Rows, oneStep);
        var (_, fromWeak) = weak.ContinueTraining(Rows, oneStep);

        // One L-BFGS iteration cannot learn the task: only a start from the trained weights keeps what they knew.
        Assert.True(fromStrong.After!.Accuracy > 0.7, $"from the trained model: {fromStrong.After.Accuracy}");
        Assert.True(fromStrong.After.Accuracy > fromWeak.After!.Accuracy + 0.2, $"{fromStrong.After.Accuracy} vs from the weak base {fromWeak.After.Accuracy}");
        Assert.True(fromStrong.FirstLoss < fromWeak.FirstLoss / 2);
    }

    [Fact]
    public void RowsWithClassesTheBaseModelDoesNotKnowAreSkippedAndNoneUsableIsAnError()
    {
        var baseModel = TextClassifier.Init(Rows, 16, 3, 1);
        var extra = Rows.Take(300).Concat(Enumerable.Range(0, 20).Select(i => new LabeledText { Text = $"weather rain storm {i}", Label = "weather" })).ToList();

        var (_, result) = baseModel.ContinueTraining(extra, new ReferenceHyperparameters { Epochs = 1 });
        var error = Assert.Throws<InvalidDataException>(() => baseModel.ContinueTraining(
            [new LabeledText { Text = "sunny", Label = "weather" }], new ReferenceHyperparameters { Epochs = 1 }));

        Assert.Equal(20, result.SkippedRows);
        Assert.Equal(240, result.TrainRows);
        Assert.Contains("finance, health, sport, technology", error.Message);
    }

    [Fact]
    public void TheSampleDatasetIsTheSameForTheSameSeedAndCoversEveryTopic()
    {
        var a = SampleDataset.Generate(500, 3);
        var b = SampleDataset.Generate(500, 3);
        var c = SampleDataset.Generate(500, 4);

        Assert.Equal(a.Select(r => (r.Text, r.Label)), b.Select(r => (r.Text, r.Label)));
        Assert.NotEqual(a.Select(r => r.Text), c.Select(r => r.Text));
        Assert.Equal(SampleDataset.Labels.Order(), a.Select(r => r.Label).Distinct().Order());
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
