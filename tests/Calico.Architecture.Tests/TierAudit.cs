using System.Reflection;

namespace Calico.Architecture.Tests;

/// <summary>
/// The rules every test class follows so that <c>./test.sh --tier</c> can select it: exactly one <c>Tier</c> trait
/// with a known value, declared on the class itself (never on a base class or a method, where it would give a test
/// two tiers), and no Unit class holding a fixture or object that needs root or starts processes.
/// </summary>
internal static class TierAudit
{
    public const string TraitName = "Tier";

    public const string Unit = "Unit";

    /// <summary>The tiers, cheapest first: the values <c>./test.sh --tier</c> accepts (lower-cased).</summary>
    public static readonly IReadOnlyList<string> Tiers = [Unit, "Root", "Cluster"];

    private const string TraitAttributeName = "Xunit.TraitAttribute";
    private const string CollectionAttributeName = "Xunit.CollectionAttribute";
    private const string CollectionDefinitionAttributeName = "Xunit.CollectionDefinitionAttribute";

    // Deep enough for test class -> local fixture -> helper -> TestKit type; cheap enough to run on every class.
    private const int MaxDepth = 4;

    /// <summary>xunit's test methods: [Fact] and everything derived from it ([Theory]).</summary>
    public static bool IsXunitTestMethod(MethodInfo method) =>
        method.GetCustomAttributes(typeof(FactAttribute), inherit: true).Length > 0;

    /// <summary>A class xunit runs tests of: not abstract, with a test method of its own or inherited.</summary>
    public static bool IsTestClass(Type type, Func<MethodInfo, bool> isTestMethod)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(isTestMethod);
        return type.IsClass && !type.IsAbstract && TestMethods(type).Any(isTestMethod);
    }

    /// <summary>The class's declared Tier values (not those of its base classes).</summary>
    public static IReadOnlyList<string> DeclaredTiers(Type type) => TierValues(type.GetCustomAttributesData());

    /// <summary>What is wrong with the class's tier marking; empty when it has exactly one valid Tier trait.</summary>
    public static IReadOnlyList<string> TraitProblems(Type testClass, Func<MethodInfo, bool> isTestMethod)
    {
        ArgumentNullException.ThrowIfNull(testClass);
        ArgumentNullException.ThrowIfNull(isTestMethod);
        var problems = new List<string>();
        var declared = DeclaredTiers(testClass);
        if (declared.Count == 0)
        {
            problems.Add($"{testClass.FullName}: no [Trait(\"Tier\", ...)] (one of {string.Join(", ", Tiers)})");
        }
        else if (declared.Count > 1)
        {
            problems.Add($"{testClass.FullName}: {declared.Count} Tier traits ({string.Join(", ", declared)}); a class has exactly one");
        }

        foreach (var value in declared.Where(v => !Tiers.Contains(v, StringComparer.Ordinal)))
        {
            problems.Add($"{testClass.FullName}: Tier \"{value}\" is not one of {string.Join(", ", Tiers)}");
        }

        for (var baseType = testClass.BaseType; baseType is not null && baseType != typeof(object); baseType = baseType.BaseType)
        {
            if (DeclaredTiers(baseType).Count > 0)
            {
                problems.Add($"{testClass.FullName}: its base class {baseType.FullName} carries a Tier trait; put it on each concrete class instead");
            }
        }

        foreach (var method in TestMethods(testClass).Where(isTestMethod))
        {
            if (TierValues(method.GetCustomAttributesData()).Count > 0)
            {
                problems.Add($"{testClass.FullName}.{method.Name}: a Tier trait on a method gives its tests two tiers; mark the class (split it if its tests differ)");
            }
        }

        return problems;
    }

    /// <summary>
    /// How the class reaches a type that needs root or starts processes (<paramref name="rootTypes"/> or a subclass):
    /// through its class or collection fixtures, base classes, constructor parameters and fields (property backing
    /// fields and captured primary-constructor parameters included), following types of assemblies
    /// <paramref name="followInto"/> accepts. One chain per way in, such as "LabTests -> LabFixture -> NetnsScope".
    /// </summary>
    public static IReadOnlyList<string> RootDependencies(Type testClass, IReadOnlyCollection<Type> rootTypes, Func<Assembly, bool> followInto)
    {
        ArgumentNullException.ThrowIfNull(testClass);
        ArgumentNullException.ThrowIfNull(rootTypes);
        ArgumentNullException.ThrowIfNull(followInto);
        var chains = new List<string>();
        foreach (var fixture in Fixtures(testClass))
        {
            var chain = Reach(fixture, rootTypes, followInto, new HashSet<Type>(), MaxDepth);
            if (chain is not null)
            {
                chains.Add($"{testClass.Name} (fixture) -> {chain}");
            }
        }

        var own = Reach(testClass, rootTypes, followInto, new HashSet<Type>(), MaxDepth);
        if (own is not null)
        {
            chains.Add(own);
        }

        return chains;
    }

    private static MethodInfo[] TestMethods(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.FlattenHierarchy);

    private static List<string> TierValues(IEnumerable<CustomAttributeData> attributes) =>
        [.. attributes
            .Where(a => a.AttributeType.FullName == TraitAttributeName && a.ConstructorArguments.Count == 2
                && string.Equals(a.ConstructorArguments[0].Value as string, TraitName, StringComparison.Ordinal))
            .Select(a => a.ConstructorArguments[1].Value as string ?? "")];

    /// <summary>IClassFixture&lt;T&gt; of the class, and ICollectionFixture&lt;T&gt; of its [Collection]'s definition.</summary>
    private static IEnumerable<Type> Fixtures(Type testClass)
    {
        foreach (var fixture in FixtureArguments(testClass, typeof(IClassFixture<>)))
        {
            yield return fixture;
        }

        var collection = testClass.GetCustomAttributesData()
            .Where(a => a.AttributeType.FullName == CollectionAttributeName && a.ConstructorArguments.Count == 1)
            .Select(a => a.ConstructorArguments[0].Value as string)
            .FirstOrDefault(n => n is not null);
        if (collection is null)
        {
            yield break;
        }

        foreach (var definition in LoadableTypes(testClass.Assembly).Where(t => DefinesCollection(t, collection)))
        {
            foreach (var fixture in FixtureArguments(definition, typeof(ICollectionFixture<>)))
            {
                yield return fixture;
            }
        }
    }

    private static IEnumerable<Type> FixtureArguments(Type type, Type openInterface) =>
        type.GetInterfaces().Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == openInterface).Select(i => i.GetGenericArguments()[0]);

    private static bool DefinesCollection(Type type, string name) =>
        type.GetCustomAttributesData().Any(a => a.AttributeType.FullName == CollectionDefinitionAttributeName
            && a.ConstructorArguments.Count == 1 && string.Equals(a.ConstructorArguments[0].Value as string, name, StringComparison.Ordinal));

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.OfType<Type>();
        }
    }

    /// <summary>The chain from <paramref name="type"/> to a root type, or null.</summary>
    private static string? Reach(Type type, IReadOnlyCollection<Type> rootTypes, Func<Assembly, bool> followInto, HashSet<Type> visited, int depth)
    {
        if (type.IsArray || type.IsByRef || type.IsPointer)
        {
            return Reach(type.GetElementType()!, rootTypes, followInto, visited, depth);
        }

        if (rootTypes.Any(root => root.IsAssignableFrom(type)))
        {
            return type.Name;
        }

        if (depth == 0 || !visited.Add(type))
        {
            return null;
        }

        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments())
            {
                var chain = Reach(argument, rootTypes, followInto, visited, depth);
                if (chain is not null)
                {
                    return chain;
                }
            }
        }

        if (!followInto(type.Assembly))
        {
            return null;
        }

        foreach (var held in Held(type))
        {
            var chain = Reach(held, rootTypes, followInto, visited, depth - 1);
            if (chain is not null)
            {
                return type.Name + " -> " + chain;
            }
        }

        return null;
    }

    /// <summary>The types an instance of <paramref name="type"/> is built from: base class, fields, constructor parameters.</summary>
    private static IEnumerable<Type> Held(Type type)
    {
        const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        if (type.BaseType is not null && type.BaseType != typeof(object))
        {
            yield return type.BaseType;
        }

        foreach (var field in type.GetFields(Declared))
        {
            yield return field.FieldType;
        }

        foreach (var constructor in type.GetConstructors(Declared))
        {
            foreach (var parameter in constructor.GetParameters())
            {
                yield return parameter.ParameterType;
            }
        }
    }
}
