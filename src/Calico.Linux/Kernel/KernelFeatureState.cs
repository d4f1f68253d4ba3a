namespace Calico.Linux.Kernel;

public enum KernelFeatureState
{
    Present,
    Absent,

    /// <summary>The config could not decide (no config, or =m with modules possible): the feature must be tried.</summary>
    Untested,
}
