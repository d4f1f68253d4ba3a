namespace Calico.Api;

/// <summary>The OpenAPI constraints of upstream's CRD schemas that <see cref="CrdSchema"/> applies.</summary>
internal enum SchemaCheck
{
    Enum,
    Pattern,
    Maximum,
    Minimum,
    MaxItems,
    MinItems,
    MaxLength,
    MinLength,
}
