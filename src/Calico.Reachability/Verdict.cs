namespace Calico.Reachability;

public enum Verdict
{
    Allow,
    Deny,
}
