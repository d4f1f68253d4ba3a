namespace Calico.Ctl.Commands;

/// <summary><c>calicoctl flows -o</c>.</summary>
internal enum FlowsOutput
{
    Table,
    Wide,
    Yaml,
    Json,
}
