using System.Text.RegularExpressions;

namespace Notifly.Grains.Templates;

/// <summary>
/// The root variables a Handlebars source reads, found lexically: <c>{{name}}</c>,
/// <c>{{{name}}}</c>, <c>{{user.name}}</c> (→ user) and the argument of a block such as
/// <c>{{#if name}}</c>. Names inside <c>#each</c>/<c>#with</c> blocks are relative to the item, so
/// they are not counted. Only a hint for the creator (undeclared names), never a gate.
/// </summary>
public static partial class TemplateReferences
{
    private static readonly HashSet<string> Keywords = ["else", "this", "true", "false", "null", "undefined"];

    public static IReadOnlyList<string> Find(params string?[] sources)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var source in sources)
        {
            if (source is null)
            {
                continue;
            }

            var scoped = 0;
            foreach (Match m in Mustache().Matches(source))
            {
                var sigil = m.Groups["sigil"].Value;
                var helper = m.Groups["helper"].Value;
                var argument = m.Groups["arg"].Value;
                if (sigil == "/")
                {
                    if (helper is "each" or "with" && scoped > 0) scoped--;
                    continue;
                }

                if (sigil is "!" or ">")
                {
                    continue;
                }

                // {{#each items}}: "items" is ours, what is inside belongs to the item.
                var path = sigil == "#" ? argument : helper;
                if (scoped == 0 && Root(path) is { } root)
                {
                    found.Add(root);
                }

                if (sigil == "#" && helper is "each" or "with")
                {
                    scoped++;
                }
            }
        }

        return [.. found];
    }

    private static string? Root(string path)
    {
        if (path.Length == 0 || path.StartsWith('@') || path.StartsWith("..", StringComparison.Ordinal))
        {
            return null;
        }

        var root = path.Split('.', '/', '[')[0];
        return root.Length == 0 || Keywords.Contains(root) ? null : root;
    }

    [GeneratedRegex(@"\{\{\{?~?\s*(?<sigil>[#/^!>]?)\s*(?<helper>[^\s}~]*)\s*(?<arg>[^\s}~]*)")]
    private static partial Regex Mustache();
}
