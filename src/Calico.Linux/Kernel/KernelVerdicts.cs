namespace Calico.Linux.Kernel;

/// <summary>
/// Pure: what the kernel config says about a feature. <c>=y</c> is present; not set (or absent from the file) is
/// absent; <c>=m</c> is present only when the module is loaded, absent when the kernel cannot load modules at all,
/// and otherwise untested (the probe then tries it, which is the only honest test of "loadable"). Without a config
/// every feature is untested.
/// </summary>
public static class KernelVerdicts
{
    /// <param name="feature">The feature.</param>
    /// <param name="config">The kernel config, or null when none was found.</param>
    /// <param name="moduleLoaded">Whether a module is loaded (/sys/module/NAME exists).</param>
    public static KernelFeatureResult Judge(KernelFeature feature, KernelConfig? config, Func<string, bool> moduleLoaded)
    {
        ArgumentNullException.ThrowIfNull(feature);
        ArgumentNullException.ThrowIfNull(moduleLoaded);
        if (config is null)
        {
            return new KernelFeatureResult(feature, KernelFeatureState.Untested, "no kernel config found");
        }

        var modular = new List<string>();
        foreach (string option in feature.ConfigOptions)
        {
            string? value = config.Value(option);
            if (value is null || value == "n")
            {
                return new KernelFeatureResult(feature, KernelFeatureState.Absent, $"{option} is not set in {config.Source}");
            }

            if (value == "m")
            {
                modular.Add(option);
            }
            else if (value != "y")
            {
                return new KernelFeatureResult(feature, KernelFeatureState.Absent, $"{option}={value} in {config.Source} (expected y or m)");
            }
        }

        if (modular.Count == 0)
        {
            return new KernelFeatureResult(feature, KernelFeatureState.Present, string.Join(", ", feature.ConfigOptions.Select(o => o + "=y")) + " in " + config.Source);
        }

        string options = string.Join(", ", modular.Select(o => o + "=m"));
        if (feature.Module.Length > 0 && moduleLoaded(feature.Module))
        {
            return new KernelFeatureResult(feature, KernelFeatureState.Present, $"{options} in {config.Source}, module {feature.Module} loaded");
        }

        if (!config.ModulesEnabled)
        {
            return new KernelFeatureResult(feature, KernelFeatureState.Absent, $"{options} in {config.Source} but the kernel cannot load modules (CONFIG_MODULES is not set)");
        }

        return new KernelFeatureResult(feature, KernelFeatureState.Untested, $"{options} in {config.Source}, module {feature.Module} not loaded");
    }

    /// <summary>Folds a trial's outcome into an untested verdict; a decided verdict stays as it is.</summary>
    public static KernelFeatureResult WithTrial(KernelFeatureResult verdict, bool worked, string trialReason)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        if (verdict.State != KernelFeatureState.Untested)
        {
            return verdict;
        }

        return verdict with
        {
            State = worked ? KernelFeatureState.Present : KernelFeatureState.Absent,
            Reason = verdict.Reason + "; " + trialReason,
        };
    }
}
