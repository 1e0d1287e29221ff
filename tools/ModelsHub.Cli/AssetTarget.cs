using System.CommandLine;

namespace ModelsHub.Cli;

/// <summary>The model or dataset a command works on: <c>--model NAME</c> or <c>--dataset NAME</c>, whose versions, uploads and files share one protocol.</summary>
public sealed record AssetTarget(string Collection, string Noun, string Name)
{
    public bool IsDataset => Collection == "datasets";

    /// <summary>The asset's path under the hub: <c>api/models/NAME</c> or <c>api/datasets/NAME</c>.</summary>
    public string Path => $"api/{Collection}/{Uri.EscapeDataString(Name)}";

    /// <summary>The two options a transfer command takes, exactly one of which must be given.</summary>
    public static (Option<string?> Model, Option<string?> Dataset) Options(string verb)
    {
        var model = new Option<string?>("--model", "-m") { Description = $"The model to {verb}." };
        var dataset = new Option<string?>("--dataset", "-d") { Description = $"The dataset to {verb} (instead of a model)." };
        return (model, dataset);
    }

    /// <summary>A validator for the command: one of the two, not both.</summary>
    public static void RequireOne(Command command, Option<string?> model, Option<string?> dataset) =>
        command.Validators.Add(r =>
        {
            var (m, d) = (r.GetValue(model), r.GetValue(dataset));
            if (m is null == d is null)
            {
                r.AddError(m is null ? "Name the model (--model NAME) or the dataset (--dataset NAME)." : "Name a model or a dataset, not both.");
            }
        });

    public static AssetTarget From(string? model, string? dataset) =>
        model is not null ? new("models", "model", model) : new("datasets", "dataset", dataset!);
}
