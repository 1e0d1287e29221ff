namespace ModelsHub.Contracts.Workflows;

public enum WorkflowStatus { Running, Completed, Failed }
