namespace Calico.Ctl.Commands;

/// <summary>The flags the resource commands share, as upstream names them.</summary>
internal sealed record CrudOptions
{
    public string? Filename { get; init; }

    public bool Recursive { get; init; }

    public bool SkipEmpty { get; init; }

    public string? ConfigPath { get; init; }

    public string? Namespace { get; init; }

    public bool AllNamespaces { get; init; }

    public bool SkipExists { get; init; }

    public bool SkipNotExists { get; init; }

    public bool Export { get; init; }

    public string Output { get; init; } = "ps";

    /// <summary>KIND then NAMEs when resources are named on the command line instead of by file.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];
}
