namespace Calico.Api;

/// <summary>One constraint at one JSON path of a kind's CRD schema; <c>[]</c> is every list item, <c>{}</c> every map value.</summary>
internal sealed record SchemaRule(string Kind, string Path, SchemaCheck Check, string Argument);
