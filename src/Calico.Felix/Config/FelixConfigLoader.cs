using System.Globalization;
using Calico.Api;
using Calico.Selectors;

namespace Calico.Felix.Config;

/// <summary>
/// Merges Felix's configuration sources with upstream's precedence (high to low): environment <c>FELIX_*</c>,
/// felix.cfg, FelixConfiguration <c>node.&lt;name&gt;</c>, selector-scoped FelixConfigurations (oldest first),
/// FelixConfiguration <c>default</c>, code default. Pure: the caller reads the environment, the file and the datastore.
/// </summary>
public static class FelixConfigLoader
{
    private const string EnvPrefix = "FELIX_";

    /// <param name="environment">All environment variables (name, value); names are matched case-insensitively.</param>
    /// <param name="configFileText">Contents of felix.cfg, or null when the file is absent.</param>
    /// <param name="globalResource">FelixConfiguration <c>default</c>, if any.</param>
    /// <param name="nodeResource">FelixConfiguration <c>node.&lt;this node&gt;</c>, if any.</param>
    /// <param name="selectorScoped">Other FelixConfigurations; those whose <c>nodeSelector</c> matches apply.</param>
    /// <param name="nodeLabels">This node's labels, for the selectors.</param>
    public static FelixConfigLoadResult Load(
        IEnumerable<KeyValuePair<string, string>> environment,
        string? configFileText,
        FelixConfiguration? globalResource,
        FelixConfiguration? nodeResource,
        IReadOnlyList<FelixConfiguration> selectorScoped,
        IReadOnlyDictionary<string, string> nodeLabels)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(selectorScoped);
        ArgumentNullException.ThrowIfNull(nodeLabels);

        var problems = new List<ConfigProblem>();
        // Candidates per parameter, appended highest source first.
        var candidates = new Dictionary<FelixParam, List<Candidate>>();

        foreach (var (name, value) in environment.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!name.StartsWith(EnvPrefix, StringComparison.OrdinalIgnoreCase))
                continue;
            AddLocal(name[EnvPrefix.Length..], value, ConfigSource.EnvironmentVariable, name, "environment");
        }

        if (configFileText is not null)
        {
            var (entries, fileProblems) = FelixConfigFile.Parse(configFileText);
            problems.AddRange(fileProblems);
            var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            // Later duplicates win, as in go-ini, so walk the file backwards and keep the first seen.
            for (var i = entries.Count - 1; i >= 0; i--)
            {
                var entry = entries[i];
                if (seen.TryGetValue(entry.Key, out var laterLine))
                {
                    problems.Add(new ConfigProblem(ConfigProblemSeverity.Warning, ConfigSource.ConfigFile, entry.Key,
                        $"config file line {entry.Line}: {entry.Key} is set again on line {laterLine}; line {laterLine} wins"));
                    continue;
                }
                seen[entry.Key] = entry.Line;
            }
            foreach (var entry in entries)
            {
                if (seen[entry.Key] == entry.Line)
                    AddLocal(entry.Key, entry.Value, ConfigSource.ConfigFile, entry.Key, $"config file line {entry.Line}");
            }
        }

        if (nodeResource is not null)
            AddResource(nodeResource, ConfigSource.DatastorePerHost);
        foreach (var resource in MatchingSelectorScoped(selectorScoped, nodeLabels, problems))
            AddResource(resource, ConfigSource.DatastorePerSelector);
        if (globalResource is not null)
            AddResource(globalResource, ConfigSource.DatastoreGlobal);

        var config = new FelixConfig();
        var origins = new Dictionary<string, ConfigOrigin>(StringComparer.OrdinalIgnoreCase);
        foreach (var param in FelixParams.All)
        {
            param.ApplyDefault(config);
            origins[param.Name] = new ConfigOrigin(param.Name, ConfigSource.Default, "code default", param.Name, param.DefaultRaw);
            if (!candidates.TryGetValue(param, out var list))
                continue;
            foreach (var candidate in list)
            {
                var error = string.Equals(candidate.Raw, "none", StringComparison.OrdinalIgnoreCase)
                    ? param.TryApplyZero(config)
                    : param.TryApply(config, candidate.Raw);
                if (error is null)
                {
                    origins[param.Name] = new ConfigOrigin(param.Name, candidate.Source, candidate.Location, candidate.Key, candidate.Raw);
                    break;
                }
                problems.Add(new ConfigProblem(ConfigProblemSeverity.Error, candidate.Source, param.Name,
                    $"{candidate.Key}='{candidate.Raw}' ({candidate.Location}): {error}", param.DieOnFail));
            }
        }
        return new FelixConfigLoadResult(config, problems, origins);

        void AddLocal(string name, string value, ConfigSource source, string key, string location)
        {
            if (!FelixParams.ByName.TryGetValue(name, out var param))
            {
                problems.Add(new ConfigProblem(ConfigProblemSeverity.Warning, source, name,
                    $"{key}='{value}' ({location}): unknown parameter, ignored"));
                return;
            }
            // Upstream ignores empty values; "none" is how to ask for the zero value.
            var trimmed = value.Trim();
            if (trimmed.Length == 0)
                return;
            Add(param, new Candidate(source, key, location, trimmed));
        }

        void AddResource(FelixConfiguration resource, ConfigSource source)
        {
            var where = $"FelixConfiguration {resource.Metadata.Name}";
            foreach (var param in FelixParams.All)
            {
                if (param.FromSpec is null || param.ApiField is null)
                    continue;
                var raw = param.FromSpec(resource.Spec);
                if (string.IsNullOrWhiteSpace(raw))
                    continue;
                if (param.IsLocal)
                {
                    problems.Add(new ConfigProblem(ConfigProblemSeverity.Warning, source, param.Name,
                        $"{param.ApiField}='{raw}' ({where}): local-only parameter, ignored from the datastore"));
                    continue;
                }
                Add(param, new Candidate(source, param.ApiField, where, raw.Trim()));
            }
        }

        void Add(FelixParam param, Candidate candidate)
        {
            if (!candidates.TryGetValue(param, out var list))
                candidates[param] = list = [];
            list.Add(candidate);
        }
    }

    /// <summary>Selector-scoped resources that match this node, oldest first (the oldest wins, as upstream).</summary>
    private static List<FelixConfiguration> MatchingSelectorScoped(
        IReadOnlyList<FelixConfiguration> resources, IReadOnlyDictionary<string, string> nodeLabels, List<ConfigProblem> problems)
    {
        var matching = new List<(DateTimeOffset Created, string Name, FelixConfiguration Resource)>();
        foreach (var resource in resources)
        {
            var name = resource.Metadata.Name ?? "";
            var selectorText = resource.Spec.NodeSelector;
            if (string.IsNullOrWhiteSpace(selectorText))
            {
                problems.Add(new ConfigProblem(ConfigProblemSeverity.Warning, ConfigSource.DatastorePerSelector, null,
                    $"FelixConfiguration {name}: neither 'default' nor 'node.<name>' and no nodeSelector; ignored"));
                continue;
            }
            if (!Selector.TryParse(selectorText, out var selector, out var error))
            {
                problems.Add(new ConfigProblem(ConfigProblemSeverity.Warning, ConfigSource.DatastorePerSelector, null,
                    $"FelixConfiguration {name}: invalid nodeSelector '{selectorText}': {error.Message}; ignored"));
                continue;
            }
            if (!selector.Matches(nodeLabels))
                continue;
            var created = DateTimeOffset.TryParse(resource.Metadata.CreationTimestamp, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal, out var timestamp) ? timestamp : DateTimeOffset.MaxValue;
            matching.Add((created, name, resource));
        }
        matching.Sort((a, b) =>
        {
            var byTime = a.Created.CompareTo(b.Created);
            return byTime != 0 ? byTime : string.CompareOrdinal(a.Name, b.Name);
        });
        return matching.ConvertAll(m => m.Resource);
    }

    private sealed record Candidate(ConfigSource Source, string Key, string Location, string Raw);
}
