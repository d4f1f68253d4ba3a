using Calico.Reachability;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Calico.Lab.Conformance;

/// <summary>Reads a case file (see the conformance README). Every problem is a <see cref="CaseFormatException"/> naming the field.</summary>
public static class CaseParser
{
    public static ConformanceCase Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new CaseFormatException("not valid YAML: " + e.Message, e);
        }

        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new CaseFormatException("a case is one YAML document holding a mapping");
        }

        string? name = null;
        string? description = null;
        var pods = new List<PodRef>();
        var probes = new List<Probe>();
        IEnumerable<YamlNode> steps = [];
        foreach (var (keyNode, value) in root.Children)
        {
            var key = Scalar(keyNode, "key");
            switch (key)
            {
                case "name":
                    name = Scalar(value, "name");
                    break;
                case "description":
                    description = Scalar(value, "description");
                    break;
                case "pods":
                    foreach (var item in Sequence(value, "pods"))
                    {
                        var podText = Scalar(item, "pods[]");
                        if (!PodRef.TryParse(podText, out var pod))
                        {
                            throw new CaseFormatException($"pods: '{podText}' is not ns/name");
                        }

                        if (pods.Contains(pod.Value))
                        {
                            throw new CaseFormatException($"pods: '{podText}' is listed twice");
                        }

                        pods.Add(pod.Value);
                    }

                    break;
                case "probes":
                    foreach (var item in Sequence(value, "probes"))
                    {
                        probes.Add(ParseProbe(Scalar(item, "probes[]"), "probes"));
                    }

                    break;
                case "steps":
                    steps = Sequence(value, "steps");
                    break;
                default:
                    throw new CaseFormatException($"unknown field '{key}'");
            }
        }

        if (pods.Count == 0)
        {
            throw new CaseFormatException("pods: at least one pod is required");
        }

        if (probes.Count == 0)
        {
            throw new CaseFormatException("probes: at least one probe is required");
        }

        var parsedSteps = new List<CaseStep>();
        var number = 0;
        foreach (var step in steps)
        {
            number++;
            parsedSteps.Add(ParseStep(step, number, probes));
        }

        return new ConformanceCase(name ?? "", description, pods, probes, parsedSteps);
    }

    private static Probe ParseProbe(string text, string field) =>
        Probe.TryParse(text, out var probe)
            ? probe.Value
            : throw new CaseFormatException($"{field}: '{text}' is not PROTOCOL/PORT (TCP, UDP or SCTP and a port 1-65535)");

    private static CaseStep ParseStep(YamlNode node, int number, List<Probe> probes)
    {
        if (node is not YamlMappingNode map)
        {
            throw new CaseFormatException($"steps[{number - 1}]: a step is a mapping");
        }

        var actions = new List<StepAction>();
        Dictionary<Probe, IReadOnlyList<ExpectationEdit>>? expect = null;
        foreach (var (keyNode, value) in map.Children)
        {
            var key = Scalar(keyNode, "key");
            var where = $"steps[{number - 1}].{key}";
            switch (key)
            {
                case "apply":
                    actions.Add(new ApplyAction(Scalar(value, where)));
                    break;
                case "delete":
                    actions.Add(new DeleteAction(value is YamlScalarNode single
                        ? [single.Value ?? ""]
                        : [.. Sequence(value, where).Select(n => Scalar(n, where + "[]"))]));
                    break;
                case "labelPods":
                case "labelNamespaces":
                    actions.Add(ParseLabels(value, key == "labelNamespaces", where));
                    break;
                case "expect":
                    expect = ParseExpect(value, where, probes);
                    break;
                default:
                    throw new CaseFormatException($"steps[{number - 1}]: unknown field '{key}'");
            }
        }

        return new CaseStep(number, actions, expect);
    }

    private static LabelAction ParseLabels(YamlNode value, bool namespaces, string where)
    {
        var targets = new List<KeyValuePair<string, IReadOnlyDictionary<string, string>>>();
        foreach (var (targetNode, labelsNode) in Mapping(value, where))
        {
            var target = Scalar(targetNode, where);
            if (!namespaces && !PodRef.TryParse(target, out _))
            {
                throw new CaseFormatException($"{where}: '{target}' is not ns/name");
            }

            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (k, v) in Mapping(labelsNode, $"{where}.{target}"))
            {
                labels[Scalar(k, where)] = Scalar(v, $"{where}.{target}");
            }

            targets.Add(new(target, labels));
        }

        return new LabelAction(namespaces, targets);
    }

    private static Dictionary<Probe, IReadOnlyList<ExpectationEdit>> ParseExpect(YamlNode value, string where, List<Probe> probes)
    {
        var expect = new Dictionary<Probe, IReadOnlyList<ExpectationEdit>>();
        foreach (var (probeNode, editsNode) in Mapping(value, where))
        {
            var probe = ParseProbe(Scalar(probeNode, where), where);
            if (!probes.Contains(probe))
            {
                throw new CaseFormatException($"{where}: probe {probe} is not one of the case's probes");
            }

            var edits = new List<ExpectationEdit>();
            if (editsNode is not YamlScalarNode { Value: null or "" })
            {
                foreach (var item in Sequence(editsNode, $"{where}.{probe}"))
                {
                    var text = Scalar(item, $"{where}.{probe}[]");
                    if (!ExpectationEdit.TryParse(text, out var edit, out var error))
                    {
                        throw new CaseFormatException($"{where}.{probe}: {error}");
                    }

                    edits.Add(edit);
                }
            }

            expect[probe] = edits;
        }

        return expect;
    }

    private static string Scalar(YamlNode node, string where) =>
        node is YamlScalarNode s ? s.Value ?? "" : throw new CaseFormatException($"{where}: expected a scalar");

    private static IEnumerable<YamlNode> Sequence(YamlNode node, string where) => node switch
    {
        YamlSequenceNode s => s.Children,
        YamlScalarNode { Value: null or "" } => [],
        _ => throw new CaseFormatException($"{where}: expected a list"),
    };

    private static IEnumerable<KeyValuePair<YamlNode, YamlNode>> Mapping(YamlNode node, string where) => node switch
    {
        YamlMappingNode m => m.Children,
        YamlScalarNode { Value: null or "" } => [],
        _ => throw new CaseFormatException($"{where}: expected a mapping"),
    };
}
