namespace Calico.Felix.Dataplane;

/// <summary>
/// What one <see cref="IDataplaneManager{TDesired}.ApplyAsync"/> did: how many kernel objects it changed, what failed
/// (retried by the next apply) and a line for the log.
/// </summary>
public sealed record DataplaneReport(int Changes, IReadOnlyList<string> Failures, string? Detail)
{
    public static DataplaneReport Unchanged { get; } = new(0, [], null);
}
