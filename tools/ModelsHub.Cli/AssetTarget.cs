namespace ModelsHub.Cli;

/// <summary>The model or dataset a command works on: <c>--model NAME</c> or <c>--dataset NAME</c>, whose versions, uploads and files share one protocol.</summary>
public sealed record AssetTarget(string Collection, string Noun, string Name)
{
    public bool IsDataset => Collection == "datasets";

    /// <summary>The asset's path under the hub: <c>api/models/NAME</c> or <c>api/datasets/NAME</c>.</summary>
    public string Path => $"api/{Collection}/{Uri.EscapeDataString(Name)}";

    public static AssetTarget From(CliOptions options) => (options.Get("model"), options.Get("dataset")) switch
    {
        ({ } model, null) => new("models", "model", model),
        (null, { } dataset) => new("datasets", "dataset", dataset),
        (null, null) => throw new UsageException("Name the model (--model NAME) or the dataset (--dataset NAME)."),
        _ => throw new UsageException("Name a model or a dataset, not both."),
    };
}
