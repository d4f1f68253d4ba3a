using System.Text.Json;
using System.Text.Json.Nodes;
using Calico.Api;
using Calico.Client;
using Calico.Ctl.Patching;

namespace Calico.Ctl.Commands;

/// <summary><c>calicoctl patch</c> and <c>calicoctl label</c>: read, change, write back compare-and-swap.</summary>
internal sealed class PatchLabelRunner(CtlContext context)
{
    public async Task<int> PatchAsync(string kindName, string name, string patch, string patchType, CrudOptions options, CancellationToken cancellationToken)
    {
        if (!ResourceKinds.TryResolve(kindName, out var kind))
        {
            throw new CtlException($"resource type '{kindName}' is not supported");
        }

        JsonNode? patchNode;
        try
        {
            patchNode = JsonNode.Parse(patch, documentOptions: new JsonDocumentOptions { MaxDepth = ResourceCodec.MaxDocumentDepth });
        }
        catch (JsonException e) when (e.Message.Contains("maximum configured depth", StringComparison.Ordinal))
        {
            throw new CtlException($"Failed to patch '{kind.Kind}' resource: the patch is nested deeper than {ResourceCodec.MaxDocumentDepth} levels");
        }
        catch (JsonException e)
        {
            throw new CtlException($"Failed to patch '{kind.Kind}' resource: the patch is not valid JSON: {e.Message}");
        }

        var client = context.OpenClient(options.ConfigPath);
        var ns = kind.Namespaced ? (string.IsNullOrEmpty(options.Namespace) ? "default" : options.Namespace) : null;
        var current = await client.GetAsync(kind, ns, name, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            context.Error.WriteLine($"Failed to patch '{kind.Kind}' resource: resource does not exist: {ResourceIdentity.Describe(kind, ns, name)} with error: <nil>");
            return 1;
        }

        JsonObject patched;
        try
        {
            var node = ResourceCodec.ToJsonNode(current);
            patched = patchType switch
            {
                "strategic" or "merge" => JsonPatches.MergePatch(node, patchNode) as JsonObject
                    ?? throw new CtlException("the patch must be a JSON object"),
                "json" => JsonPatches.ApplyJsonPatch(node, patchNode as JsonArray ?? throw new CtlException("a json patch must be an array of operations")) as JsonObject
                    ?? throw new CtlException("the patched document is not an object"),
                _ => throw new CtlException($"unrecognized patch type '{patchType}': use strategic, merge or json"),
            };
        }
        catch (CtlException e)
        {
            context.Error.WriteLine($"Failed to patch '{kind.Kind}' resource: {e.Message}");
            return 1;
        }

        string? error;
        try
        {
            var resource = ResourceCodec.FromJsonNode(patched);
            resource.Metadata.ResourceVersion = current.Metadata.ResourceVersion;
            error = SupportGate.Check(resource, out var warnings);
            if (error is null)
            {
                var r = await client.UpdateAsync(resource, cancellationToken).ConfigureAwait(false);
                error = r.Succeeded ? null : r.Message;
                if (error is null)
                {
                    foreach (var warning in warnings)
                    {
                        context.Error.WriteLine(warning);
                    }
                }
            }
        }
        catch (Exception e) when (e is ValidationException or ResourceDecodeException)
        {
            error = e.Message;
        }

        if (error is not null)
        {
            context.Error.WriteLine($"Failed to patch '{kind.Kind}' resource: {error}");
            return 1;
        }

        context.Out.WriteLine($"Successfully patched 1 '{kind.Kind}' resource");
        return 0;
    }

    public async Task<int> LabelAsync(string kindName, string name, string labelArg, bool overwrite, bool remove, CrudOptions options, CancellationToken cancellationToken)
    {
        if (!ResourceKinds.TryResolve(kindName, out var kind))
        {
            throw new CtlException($"failed to get {kindName} {name}, error resource type '{kindName}' is not supported");
        }

        string key, value = "";
        if (remove)
        {
            key = labelArg;
        }
        else
        {
            var eq = labelArg.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                throw new CtlException($"invalid label {labelArg}");
            }

            key = labelArg[..eq];
            value = labelArg[(eq + 1)..];
        }

        var client = context.OpenClient(options.ConfigPath);
        var ns = kind.Namespaced ? (string.IsNullOrEmpty(options.Namespace) ? "default" : options.Namespace) : null;
        var resource = await client.GetAsync(kind, ns, name, cancellationToken).ConfigureAwait(false)
            ?? throw new CtlException($"failed to get {kindName} {name}, error resource does not exist: {ResourceIdentity.Describe(kind, ns, name)} with error: <nil>");

        var labels = resource.Metadata.Labels ?? new Dictionary<string, string>(StringComparer.Ordinal);
        var overwritten = false;
        if (remove)
        {
            if (!labels.Remove(key))
            {
                throw new CtlException($"cannot remove label of {kindName} {name}, key {key} does not exist");
            }
        }
        else if (labels.TryGetValue(key, out var old))
        {
            if (!overwrite && old != value)
            {
                throw new CtlException($"failed to update label of {kindName} {name}, key {key} is already present. please use '--overwrite' to set a new value");
            }

            labels[key] = value;
            overwritten = true;
        }
        else
        {
            labels[key] = value;
        }

        resource.Metadata.Labels = labels.Count == 0 ? null : labels;
        OperationResult result;
        try
        {
            result = await client.UpdateAsync(resource, cancellationToken).ConfigureAwait(false);
        }
        catch (ValidationException e)
        {
            throw new CtlException($"failed to update {kindName} {name}, label not changed: {e.Message}");
        }

        if (!result.Succeeded)
        {
            throw new CtlException($"failed to update {kindName} {name}, label not changed: {result.Message}");
        }

        context.Out.WriteLine(remove
            ? $"Successfully removed label {key} from {kindName} {name}"
            : overwritten ? $"Successfully updated label {key} on {kindName} {name}" : $"Successfully set label {key} on {kindName} {name}");
        return 0;
    }
}
