namespace Calico.TestKit;

/// <summary>xunit class fixture: one etcd serving TLS with client-certificate authentication.</summary>
public sealed class TlsEtcdFixture : EtcdFixture
{
    protected override bool UseTls => true;
}
