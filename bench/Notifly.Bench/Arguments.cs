using System.Globalization;

namespace Notifly.Bench;

/// <summary>
/// "--name value" pairs, parsed by hand: every option takes one value, unknown names are errors,
/// and a repeated option keeps its last value (<see cref="All"/> has every one).
/// </summary>
public sealed class Arguments
{
    private readonly Dictionary<string, string> _values;
    private readonly List<(string Name, string Value)> _all;

    private Arguments(Dictionary<string, string> values, List<(string Name, string Value)> all)
    {
        _values = values;
        _all = all;
    }

    public static Arguments Parse(IReadOnlyList<string> args, IReadOnlyCollection<string> names)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var all = new List<(string, string)>();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal) || !names.Contains(name[2..]))
            {
                throw new UsageException($"unknown argument '{name}'");
            }

            if (i + 1 >= args.Count)
            {
                throw new UsageException($"{name} needs a value");
            }

            values[name[2..]] = args[++i];
            all.Add((name[2..], args[i]));
        }

        return new Arguments(values, all);
    }

    public IEnumerable<string> All(string name) => _all.Where(a => a.Name == name).Select(a => a.Value);

    public string String(string name, string fallback) => _values.GetValueOrDefault(name, fallback);

    public string Required(string name) =>
        _values.TryGetValue(name, out var value) ? value : throw new UsageException($"--{name} is required");

    public int Int(string name, int fallback, int min, int max)
    {
        if (!_values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new UsageException($"--{name} must be a whole number from {min} to {max}, not '{text}'");
        }

        return value;
    }
}
