namespace Calico.Linux.Bpf;

/// <summary>A clsact hook of an interface (libbpf's enum bpf_tc_attach_point values): packets it receives or sends.</summary>
public enum TcDirection
{
    Ingress = 1,
    Egress = 2,
}
