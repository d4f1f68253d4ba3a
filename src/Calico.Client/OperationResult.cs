using Calico.Api;

namespace Calico.Client;

public enum OperationStatus
{
    Ok,
    NotFound,
    AlreadyExists,
    Conflict,
}

/// <summary>
/// Outcome of a client operation. Expected outcomes are values; <see cref="Message"/> is upstream's wording
/// (e.g. <c>resource already exists: IPPool(pool-1)</c>) for anything but <see cref="OperationStatus.Ok"/>.
/// </summary>
public sealed record OperationResult(OperationStatus Status, Resource? Resource, string Message)
{
    public bool Succeeded => Status == OperationStatus.Ok;

    public static OperationResult Ok(Resource resource) => new(OperationStatus.Ok, resource, "");
}
