namespace ModelsHub.Core.Training;

/// <summary>
/// The reference trainer's registration (tools/ModelsHub.Trainer): ML.NET text classification that
/// continues training from the base version's model, on csv or jsonl-completion, method <c>full</c>,
/// and the hyperparameters it reads, with its own defaults and bounds.
/// </summary>
public static class ReferenceTrainer
{
    public static TrainerOptions Create(LocalTrainerOptions? local) => new()
    {
        Description = "Reference trainer: ML.NET text classification (FeaturizeText + L-BFGS maximum entropy) continuing from the base version's model.",
        Local = local,
        IsBuiltIn = true,
        DatasetFormats = ["csv", "jsonl-completion"],
        Methods = ["full"],
        Hyperparameters = new(StringComparer.Ordinal)
        {
            ["epochs"] = Integer("10", 1, 100, "Rounds of L-BFGS; loss and held-out metrics are reported after each."),
            ["iterationsPerEpoch"] = Integer("10", 1, 1000, "L-BFGS iterations per round."),
            ["l2Regularization"] = Number("0.05", 0, 10, "L2 weight."),
            ["l1Regularization"] = Number("0", 0, 10, "L1 weight."),
            ["historySize"] = Integer("20", 1, 100, "L-BFGS memory."),
            ["validationFraction"] = Number("0.2", 0, 0.5, "Share of the rows held out to evaluate before and after."),
            ["seed"] = Integer("1", 0, int.MaxValue, "Shuffling and splitting seed."),
            ["checkpointEvery"] = Integer("5", 0, 100, "Write a checkpoint every this many epochs (0: none)."),
        },
    };

    private static HyperparameterOptions Integer(string fallback, double min, double max, string description) =>
        new() { Type = HyperparameterSpec.Integer, Default = fallback, Min = min, Max = max, Description = description };

    private static HyperparameterOptions Number(string fallback, double min, double max, string description) =>
        new() { Type = HyperparameterSpec.Number, Default = fallback, Min = min, Max = max, Description = description };
}
