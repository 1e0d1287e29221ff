namespace ModelsHub.Core.Common;

/// <summary>
/// A document a store keeps under an opaque ETag (<see cref="ETag"/>, null until stored). Stores never
/// change what they are given: they write a <see cref="Clone"/> and hand it back with its new ETag.
/// </summary>
public interface IStoredDocument<TSelf> where TSelf : class, IStoredDocument<TSelf>
{
    string? ETag { get; set; }

    TSelf Clone();
}
