namespace Calico.Cni;

internal enum CniCommand
{
    Add,
    Del,
    Check,
    Status,
    Gc,
    Version,
}
