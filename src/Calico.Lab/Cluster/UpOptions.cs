namespace Calico.Lab.Cluster;

/// <summary><c>calico-lab up</c>'s choices: how many hosts, which datastore, whether to start calico-node.</summary>
public sealed record UpOptions(int Hosts = 1, string Datastore = "embedded", bool NoNode = false)
{
    public const int MaxHosts = 200;

    public void Validate()
    {
        if (Hosts is < 1 or > MaxHosts)
        {
            throw new LabException($"--hosts {Hosts} is out of range (1-{MaxHosts})");
        }

        if (Datastore is not ("embedded" or "etcdv3"))
        {
            throw new LabException($"--datastore '{Datastore}' is not embedded or etcdv3");
        }
    }
}
