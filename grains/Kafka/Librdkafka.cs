using System.Reflection;
using System.Runtime.InteropServices;

namespace Notifly.Grains.Kafka;

/// <summary>
/// Points Confluent.Kafka at the operating system's librdkafka. The registry here has no
/// librdkafka.redist package, so the native library comes from Debian's <c>librdkafka1</c>
/// (2.0.2, soname <c>librdkafka.so.1</c>); Confluent.Kafka 1.9.3 imports it as plain
/// <c>librdkafka</c>, which the loader would look for as <c>librdkafka.so</c> — a name only
/// the -dev package provides. Installing the resolver once per process is enough.
/// </summary>
public static class Librdkafka
{
    /// <summary>The file the mock cluster and Confluent.Kafka both load.</summary>
    public const string LibraryName = "librdkafka.so.1";

    private static int _installed;

    public static void EnsureLoaded()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 1)
        {
            return;
        }

        NativeLibrary.SetDllImportResolver(typeof(Confluent.Kafka.Library).Assembly, Resolve);
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name.StartsWith("librdkafka", StringComparison.Ordinal) && NativeLibrary.TryLoad(LibraryName, assembly, searchPath, out var handle)
            ? handle
            : IntPtr.Zero;
}
