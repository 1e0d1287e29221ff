namespace ModelsHub.Contracts.Deployments;

/// <summary>
/// Where a deployment is: <c>pending → registering → launching → running | failed</c>, then
/// <c>stopping → stopped</c>. <c>unreachable</c>: it was running when its server stopped answering
/// (it becomes <c>running</c> again when the server answers with the model still there).
/// </summary>
public enum DeploymentState { Pending, Registering, Launching, Running, Failed, Stopping, Stopped, Unreachable }
