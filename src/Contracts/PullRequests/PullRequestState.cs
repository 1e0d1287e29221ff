namespace ModelsHub.Contracts.PullRequests;

public enum PullRequestState { Open, Closed, Merged }
