namespace ModelsHub.Core.Common;

/// <summary>
/// A domain outcome that is not success. The API layer maps each subtype to one RFC 9457
/// status; adapters translate SDK failures into these at their boundary.
/// </summary>
public abstract class HubException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The resource does not exist, or the caller may not know that it exists.</summary>
public sealed class NotFoundException(string resource, string id)
    : HubException($"{resource} '{id}' was not found.")
{
    public string Resource { get; } = resource;
    public string Id { get; } = id;
}

/// <summary>The request clashes with the current state (duplicate name, last version, ...).</summary>
public sealed class ConflictException(string message, string? field = null) : HubException(message)
{
    public string? Field { get; } = field;
}

/// <summary>The caller's ETag no longer matches the stored document.</summary>
public sealed class PreconditionFailedException(string resource, string id)
    : HubException($"{resource} '{id}' was changed by someone else; read it again and retry with its current ETag.");

/// <summary>A change was sent without the ETag of the version it was based on.</summary>
public sealed class PreconditionRequiredException(string message = "Send If-Match with the ETag you last read, so a concurrent change is not overwritten.")
    : HubException(message);

/// <summary>The caller is known and may see the resource but lacks a permission.</summary>
public sealed class ForbiddenException(string message) : HubException(message);

/// <summary>The operation needs a signed-in caller.</summary>
public sealed class AuthenticationRequiredException(string message = "Sign in to do this.") : HubException(message);

/// <summary>One or more fields are invalid; keys are field paths such as <c>spec[0].model_name</c>.</summary>
public sealed class ValidationException : HubException
{
    public ValidationException(IReadOnlyDictionary<string, string[]> errors)
        : base("One or more fields are invalid.") => Errors = errors;

    public ValidationException(string field, string message)
        : this(new Dictionary<string, string[]> { [field] = [message] }) { }

    public IReadOnlyDictionary<string, string[]> Errors { get; }
}

/// <summary>The content type or file format is not one the hub accepts.</summary>
public sealed class UnsupportedFormatException(string message, IReadOnlyList<string> accepted) : HubException(message)
{
    public IReadOnlyList<string> Accepted { get; } = accepted;
}

/// <summary>The payload or declared size is larger than allowed.</summary>
public sealed class PayloadTooLargeException(string message, string? field = null) : HubException(message)
{
    public string? Field { get; } = field;
}

/// <summary>
/// The hub's storage could not take the bytes now (its disk is full or failing); sending them again later
/// may work. The message never names the server's paths.
/// </summary>
public sealed class InsufficientStorageException(string message, Exception? inner = null) : HubException(message, inner);

/// <summary>
/// A store is overloaded or briefly unreachable and has given up retrying; the caller may try
/// again after <see cref="RetryAfter"/> (when the store said how long).
/// </summary>
public sealed class ServiceBusyException(string message, TimeSpan? retryAfter = null, Exception? inner = null) : HubException(message, inner)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
