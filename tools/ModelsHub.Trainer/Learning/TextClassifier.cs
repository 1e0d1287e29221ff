using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms;
using Microsoft.ML.Transforms.Text;
using ModelsHub.Trainer.Data;

namespace ModelsHub.Trainer.Learning;

/// <summary>Evaluation of a classifier on rows it did not train on.</summary>
public sealed record Evaluation(double Accuracy, double MacroAccuracy, double LogLoss, int Rows);

/// <summary>What one epoch of continued training reached.</summary>
public sealed record EpochResult(int Epoch, int Epochs, long Step, long TotalSteps, double Loss, Evaluation? Validation, TimeSpan Elapsed);

/// <summary>What a training run did, start to end: <see cref="FirstLoss"/> is the base model's loss on the training rows.</summary>
public sealed record TrainingResult(Evaluation? Before, Evaluation? After, double FirstLoss, double LastLoss, int TrainRows, int SkippedRows,
    TimeSpan Duration, double RowsPerSecond);

/// <summary>A prediction: the class and the probability of each class.</summary>
public sealed record Prediction(string Label, IReadOnlyDictionary<string, float> Scores);

/// <summary>
/// Text classification with ML.NET: the text is featurized (<c>FeaturizeText</c>: normalized words
/// and word bigrams, character trigrams) and classified by an L-BFGS maximum entropy model. A model
/// is one ML.NET file holding the whole chain (featurizer, label map, classifier, label names), so
/// it loads and predicts on its own; continued training takes the featurizer and label map of the
/// base model as they are and starts L-BFGS from the base model's weights (ML.NET's retraining
/// from existing model parameters), so what the base model learned is where training resumes.
/// </summary>
public sealed class TextClassifier
{
    private const string Features = "Features";
    private const string LabelKey = "LabelKey";

    private readonly MLContext _ml;
    private readonly ITransformer _preparation;
    private readonly MulticlassPredictionTransformer<MaximumEntropyModelParameters> _predictor;
    private readonly ITransformer _labelNames;

    private TextClassifier(MLContext ml, ITransformer preparation, MulticlassPredictionTransformer<MaximumEntropyModelParameters> predictor, ITransformer labelNames)
    {
        _ml = ml;
        _preparation = preparation;
        _predictor = predictor;
        _labelNames = labelNames;
        Labels = ReadLabels(ml, preparation);
    }

    /// <summary>The classes the model knows, in the order of its label map.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>
    /// A base model: the featurizer's vocabulary and the label set are fitted on every text and label of
    /// <paramref name="vocabulary"/>, the classifier on the first <paramref name="trainRows"/> rows only,
    /// for <paramref name="iterations"/> L-BFGS iterations: a real, weak starting point.
    /// </summary>
    public static TextClassifier Init(IReadOnlyList<LabeledText> vocabulary, int trainRows, int iterations, int seed)
    {
        if (vocabulary.Count == 0)
        {
            throw new InvalidDataException("There are no rows to build a base model from.");
        }
        var ml = new MLContext(seed);
        var all = ml.Data.LoadFromEnumerable(vocabulary);
        var preparation = ml.Transforms.Text.FeaturizeText(Features, FeaturizerOptions(), nameof(LabeledText.Text))
            .Append(ml.Transforms.Conversion.MapValueToKey(LabelKey, nameof(LabeledText.Label), keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue))
            .Fit(all);
        var few = ml.Data.LoadFromEnumerable(vocabulary.Take(Math.Max(1, trainRows)).ToList());
        var predictor = Trainer(ml, iterations, l2: 1e-3f, l1: 0f, history: 20).Fit(preparation.Transform(few));
        return new TextClassifier(ml, preparation, predictor, LabelNames(ml).Fit(predictor.Transform(preparation.Transform(few))));
    }

    public static TextClassifier Load(string path, int seed = 1)
    {
        var ml = new MLContext(seed);
        var model = ml.Model.Load(path, out _);
        var parts = Flatten(model).ToList();
        var at = parts.FindIndex(p => p is MulticlassPredictionTransformer<MaximumEntropyModelParameters>);
        if (at < 1 || at != parts.Count - 2)
        {
            throw new InvalidDataException($"'{Path.GetFileName(path)}' is not a text classifier of the reference trainer (featurizer, maximum entropy classifier, label names).");
        }
        return new TextClassifier(ml, new TransformerChain<ITransformer>([.. parts.Take(at)]),
            (MulticlassPredictionTransformer<MaximumEntropyModelParameters>)parts[at], parts[at + 1]);
    }

    public void Save(string path)
    {
        var chain = new TransformerChain<ITransformer>(_preparation, _predictor, _labelNames);
        _ml.Model.Save(chain, _ml.Data.LoadFromEnumerable(Array.Empty<LabeledText>()).Schema, path);
    }

    /// <summary>
    /// Continues training from this model's weights on <paramref name="rows"/>: <see cref="ReferenceHyperparameters.Epochs"/>
    /// rounds of <see cref="ReferenceHyperparameters.IterationsPerEpoch"/> L-BFGS iterations, each round starting
    /// from the weights the one before reached. A share of the rows is held out to evaluate before and after
    /// every round. Rows whose label the base model does not know are skipped (the classifier's classes are fixed).
    /// </summary>
    public (TextClassifier Model, TrainingResult Result) ContinueTraining(IReadOnlyList<LabeledText> rows, ReferenceHyperparameters hyperparameters,
        Action<EpochResult, Func<TextClassifier>>? onEpoch = null, Action<Evaluation?, double>? onBaseline = null, CancellationToken cancellationToken = default)
    {
        var known = new HashSet<string>(Labels, StringComparer.Ordinal);
        var usable = rows.Where(r => known.Contains(r.Label)).ToList();
        var skipped = rows.Count - usable.Count;
        if (usable.Count == 0)
        {
            throw new InvalidDataException(
                $"None of the {rows.Count} rows has a label the base model knows ({string.Join(", ", Labels)}); continued training keeps the base model's classes.");
        }
        var random = new Random(hyperparameters.Seed);
        var shuffled = usable.OrderBy(_ => random.Next()).ToList();
        var held = hyperparameters.ValidationFraction > 0 && shuffled.Count >= 10 ? (int)Math.Round(shuffled.Count * hyperparameters.ValidationFraction) : 0;
        var validation = shuffled.Take(held).ToList();
        var train = shuffled.Skip(held).ToList();

        var trainData = _ml.Data.Cache(_preparation.Transform(_ml.Data.LoadFromEnumerable(train)));
        var validationData = validation.Count > 0 ? _ml.Data.Cache(_preparation.Transform(_ml.Data.LoadFromEnumerable(validation))) : null;
        var before = validationData is null ? null : Evaluate(_predictor, validationData);
        var baseLoss = Evaluate(_predictor, trainData).LogLoss;
        onBaseline?.Invoke(before, baseLoss);

        var trainer = Trainer(_ml, hyperparameters.IterationsPerEpoch, (float)hyperparameters.L2Regularization, (float)hyperparameters.L1Regularization,
            hyperparameters.HistorySize);
        var clock = Stopwatch.StartNew();
        var weights = _predictor.Model;
        var current = _predictor;
        var last = baseLoss;
        Evaluation? after = before;
        var totalSteps = (long)hyperparameters.Epochs * hyperparameters.IterationsPerEpoch;
        for (var epoch = 1; epoch <= hyperparameters.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            current = trainer.Fit(trainData, weights);
            weights = current.Model;
            last = Evaluate(current, trainData).LogLoss;
            after = validationData is null ? null : Evaluate(current, validationData);
            var reached = current;
            onEpoch?.Invoke(new EpochResult(epoch, hyperparameters.Epochs, (long)epoch * hyperparameters.IterationsPerEpoch, totalSteps, last, after, clock.Elapsed),
                () => new TextClassifier(_ml, _preparation, reached, _labelNames));
        }
        var duration = clock.Elapsed;
        var model = new TextClassifier(_ml, _preparation, current, _labelNames);
        var rowsPerSecond = duration.TotalSeconds > 0 ? train.Count * (double)hyperparameters.Epochs / duration.TotalSeconds : 0;
        return (model, new TrainingResult(before, after, baseLoss, last, train.Count, skipped, duration, rowsPerSecond));
    }

    /// <summary>The model's log-loss and accuracy on <paramref name="rows"/> (rows with unknown labels left out).</summary>
    public Evaluation Evaluate(IReadOnlyList<LabeledText> rows)
    {
        var known = new HashSet<string>(Labels, StringComparer.Ordinal);
        return Evaluate(_predictor, _preparation.Transform(_ml.Data.LoadFromEnumerable(rows.Where(r => known.Contains(r.Label)).ToList())));
    }

    public Prediction Predict(string text)
    {
        var engine = _ml.Model.CreatePredictionEngine<LabeledText, ScoredText>(new TransformerChain<ITransformer>(_preparation, _predictor, _labelNames));
        var scored = engine.Predict(new LabeledText { Text = text });
        return new Prediction(scored.PredictedLabel, Labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => scored.Score[p.i], StringComparer.Ordinal));
    }

    private Evaluation Evaluate(ITransformer predictor, IDataView prepared)
    {
        var metrics = _ml.MulticlassClassification.Evaluate(predictor.Transform(prepared), labelColumnName: LabelKey);
        var rows = (int)(prepared.GetRowCount() ?? prepared.GetColumn<uint>(LabelKey).LongCount());
        return new Evaluation(metrics.MicroAccuracy, metrics.MacroAccuracy, metrics.LogLoss, rows);
    }

    private static LbfgsMaximumEntropyMulticlassTrainer Trainer(MLContext ml, int iterations, float l2, float l1, int history) =>
        ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options
        {
            LabelColumnName = LabelKey,
            FeatureColumnName = Features,
            MaximumNumberOfIterations = iterations,
            L2Regularization = l2,
            L1Regularization = l1,
            HistorySize = history,
            OptimizationTolerance = 1e-8f,
            // One thread: the same seed and data give the same model, and the hub's machine has other work.
            NumberOfThreads = 1,
        });

    private static IEstimator<ITransformer> LabelNames(MLContext ml) =>
        ml.Transforms.Conversion.MapKeyToValue(nameof(ScoredText.PredictedLabel), "PredictedLabel");

    private static TextFeaturizingEstimator.Options FeaturizerOptions() => new()
    {
        CaseMode = TextNormalizingEstimator.CaseMode.Lower,
        KeepDiacritics = false,
        KeepPunctuations = false,
        KeepNumbers = true,
        WordFeatureExtractor = new WordBagEstimator.Options { NgramLength = 2, UseAllLengths = true, MaximumNgramsCount = [200_000] },
        CharFeatureExtractor = new WordBagEstimator.Options { NgramLength = 3, UseAllLengths = false, MaximumNgramsCount = [200_000] },
        Norm = TextFeaturizingEstimator.NormFunction.L2,
    };

    private static string[] ReadLabels(MLContext ml, ITransformer preparation)
    {
        var schema = preparation.GetOutputSchema(ml.Data.LoadFromEnumerable(Array.Empty<LabeledText>()).Schema);
        VBuffer<ReadOnlyMemory<char>> names = default;
        schema[LabelKey].GetKeyValues(ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer transformer)
    {
        if (transformer is IEnumerable<ITransformer> chain)
        {
            foreach (var inner in chain)
            {
                foreach (var part in Flatten(inner))
                {
                    yield return part;
                }
            }
        }
        else
        {
            yield return transformer;
        }
    }

    private sealed class ScoredText
    {
        public string PredictedLabel { get; set; } = "";

        public float[] Score { get; set; } = [];
    }
}
