namespace Calico.Lab.Cluster;

/// <summary>One member of the lab's etcd cluster (<c>up --etcd-members N</c>, N &gt; 1), as lab.json records it.</summary>
public sealed class LabEtcdMember
{
    public string Name { get; set; } = "";

    /// <summary><c>http://172.30.0.1:&lt;port&gt;</c> on the fabric.</summary>
    public string ClientUrl { get; set; } = "";

    public string DataDir { get; set; } = "";

    public LabProcess? Process { get; set; }
}
