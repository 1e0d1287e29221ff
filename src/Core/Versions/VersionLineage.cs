using System.Text.Json;

namespace ModelsHub.Core.Versions;

/// <summary>
/// A model version's lineage (mlflow/mlflow#17134's "a version that links back to the run, the base
/// model and the data"): the training job that made it, the base model version it continued from,
/// the dataset version it learned from, how (trainer, method, hyperparameters), and the job's final metrics.
/// </summary>
public sealed record VersionLineage(
    string TrainingJob,
    string BaseModel,
    string BaseVersion,
    string Dataset,
    string DatasetVersion,
    string Trainer,
    string Method,
    IReadOnlyDictionary<string, JsonElement> Hyperparameters,
    IReadOnlyDictionary<string, double> Metrics);
