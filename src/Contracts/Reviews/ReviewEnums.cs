namespace ModelsHub.Contracts.Reviews;

public enum SubmissionState { Pending, Approved, Rejected, Superseded }

/// <summary>What a submission asks for.</summary>
public enum ChangeKind { Register, Update, Expire, Delete }
