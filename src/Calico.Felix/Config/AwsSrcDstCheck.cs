namespace Calico.Felix.Config;

/// <summary>Upstream <c>AWSSrcDstCheck</c>.</summary>
public enum AwsSrcDstCheck { DoNothing, Enable, Disable }
