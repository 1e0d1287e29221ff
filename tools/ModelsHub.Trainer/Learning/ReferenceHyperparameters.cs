namespace ModelsHub.Trainer.Learning;

/// <summary>
/// What the reference trainer takes (as registered in the hub's configuration, with the same defaults
/// and bounds): rounds of L-BFGS, regularization, the share held out for evaluation, the seed.
/// </summary>
public sealed record ReferenceHyperparameters
{
    public int Epochs { get; init; } = 10;

    public int IterationsPerEpoch { get; init; } = 10;

    public double L2Regularization { get; init; } = 0.05;

    public double L1Regularization { get; init; }

    public int HistorySize { get; init; } = 20;

    public double ValidationFraction { get; init; } = 0.2;

    public int Seed { get; init; } = 1;
}
