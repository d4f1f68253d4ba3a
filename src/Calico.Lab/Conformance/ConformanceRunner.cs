using System.Text;
using Calico.Datastore;
using Calico.Lab.Cluster;

namespace Calico.Lab.Conformance;

/// <summary>
/// Runs case files in the worlds a factory makes (the policy engine alone by default, or pods on a lab): every
/// step applied through the client, then each probe's measured matrix compared with the step's expectation.
/// </summary>
public static class ConformanceRunner
{
    /// <summary>Files named directly, and each directory's *.yaml in name order.</summary>
    public static IReadOnlyList<string> FindCases(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.GetFiles(path, "*.yaml").Order(StringComparer.Ordinal));
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                throw new FileNotFoundException($"no such file or directory: {path}", path);
            }
        }

        return files;
    }

    public static Task<CaseResult> RunFileAsync(string file, CancellationToken cancellationToken) =>
        RunFileAsync(file, EngineWorldFactory.Instance, cancellationToken);

    public static async Task<CaseResult> RunFileAsync(string file, ICaseWorldFactory worlds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        string text;
        try
        {
            text = await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            return new CaseResult(file, false, "  cannot read the case: " + e.Message + "\n");
        }

        ConformanceCase parsed;
        try
        {
            parsed = CaseParser.Parse(text);
        }
        catch (CaseFormatException e)
        {
            return new CaseResult(file, false, "  invalid case: " + e.Message + "\n");
        }

        return await RunCaseAsync(file, parsed, worlds, cancellationToken).ConfigureAwait(false);
    }

    public static Task<CaseResult> RunCaseAsync(string file, ConformanceCase testCase, CancellationToken cancellationToken) =>
        RunCaseAsync(file, testCase, EngineWorldFactory.Instance, cancellationToken);

    public static async Task<CaseResult> RunCaseAsync(string file, ConformanceCase testCase, ICaseWorldFactory worlds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(testCase);
        ArgumentNullException.ThrowIfNull(worlds);
        ICaseWorld world;
        try
        {
            world = await worlds.CreateAsync(testCase, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is CaseFormatException or DatastoreUnavailableException or Calico.Api.ValidationException or LabException)
        {
            return new CaseResult(file, false, "  cannot set up the case: " + e.Message + "\n");
        }

        await using (world.ConfigureAwait(false))
        {
            var report = new StringBuilder();
            foreach (var step in testCase.Steps)
            {
                try
                {
                    await RunActionsAsync(world.Resources, step, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is CaseFormatException or DatastoreUnavailableException or Calico.Api.ValidationException)
                {
                    report.Append("  ").Append(step.Describe()).Append(": cannot be applied: ").Append(e.Message).Append('\n');
                    return new CaseResult(file, false, report.ToString());
                }

                if (step.Expect is null)
                {
                    continue;
                }

                var expectations = step.Expect.ToDictionary(e => e.Key, e => ExpectationEdit.Expected(testCase.Pods, e.Value));
                IReadOnlyList<ProbeMatrix> matrices;
                try
                {
                    matrices = await world.MeasureAsync(testCase.Probes, expectations, cancellationToken).ConfigureAwait(false);
                }
                catch (LabException e)
                {
                    report.Append("  ").Append(step.Describe()).Append(": cannot be measured: ").Append(e.Message).Append('\n');
                    return new CaseResult(file, false, report.ToString());
                }

                foreach (var matrix in matrices)
                {
                    if (!expectations.TryGetValue(matrix.Probe, out var expected))
                    {
                        continue;
                    }

                    var diff = SideBySide.Compare(step, matrix, expected);
                    if (diff is not null)
                    {
                        report.Append(diff);
                    }
                }
            }

            return new CaseResult(file, report.Length == 0, report.ToString());
        }
    }

    private static async Task RunActionsAsync(ConformanceWorld world, CaseStep step, CancellationToken cancellationToken)
    {
        foreach (var action in step.Actions)
        {
            switch (action)
            {
                case ApplyAction apply:
                    await world.ApplyAsync(apply.Yaml, cancellationToken).ConfigureAwait(false);
                    break;
                case DeleteAction delete:
                    foreach (var entry in delete.Entries)
                    {
                        await world.DeleteAsync(entry, cancellationToken).ConfigureAwait(false);
                    }

                    break;
                case LabelAction { Namespaces: true } label:
                    foreach (var (ns, labels) in label.Targets)
                    {
                        await world.LabelNamespaceAsync(ns, labels, cancellationToken).ConfigureAwait(false);
                    }

                    break;
                case LabelAction label:
                    foreach (var (pod, labels) in label.Targets)
                    {
                        await world.LabelPodAsync(pod, labels, cancellationToken).ConfigureAwait(false);
                    }

                    break;
                default:
                    throw new InvalidOperationException("unknown step action " + action.GetType().Name);
            }
        }
    }

    /// <summary>Runs every case; writes PASS/FAIL lines (with reports) and the final "N passed, N failed" line.</summary>
    public static Task<int> RunAsync(IReadOnlyList<string> files, TextWriter output, CancellationToken cancellationToken) =>
        RunAsync(files, output, EngineWorldFactory.Instance, cancellationToken);

    /// <inheritdoc cref="RunAsync(IReadOnlyList{string}, TextWriter, CancellationToken)"/>
    public static async Task<int> RunAsync(IReadOnlyList<string> files, TextWriter output, ICaseWorldFactory worlds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(output);
        var passed = 0;
        var failed = 0;
        foreach (var file in files)
        {
            var result = await RunFileAsync(file, worlds, cancellationToken).ConfigureAwait(false);
            if (result.Passed)
            {
                passed++;
                await output.WriteLineAsync("PASS " + file).ConfigureAwait(false);
            }
            else
            {
                failed++;
                await output.WriteLineAsync("FAIL " + file).ConfigureAwait(false);
                await output.WriteAsync(result.Report).ConfigureAwait(false);
            }
        }

        await output.WriteLineAsync($"{passed} passed, {failed} failed").ConfigureAwait(false);
        return failed == 0 && files.Count > 0 ? 0 : 1;
    }
}
