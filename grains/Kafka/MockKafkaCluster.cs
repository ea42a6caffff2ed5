using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace Notifly.Grains.Kafka;

/// <summary>
/// librdkafka's mock Kafka cluster (<c>rdkafka_mock.h</c>): brokers that speak the Kafka
/// protocol over TCP on loopback, with consumer groups, offset commits and the idempotent
/// producer, all in memory. No Kafka broker can be installed on these machines, so tests and
/// the single-node run use this; production points at a real cluster. Nothing here is durable.
/// </summary>
public sealed partial class MockKafkaCluster : IDisposable
{
    // The native library comes from librdkafka.redist, found through the app's deps.json
    // (runtimes/linux-x64/native/). For glibc Linux it ships two builds: librdkafka.so, linked
    // against Cyrus SASL's libsasl2.so.3 (for GSSAPI), which Debian does not have, and
    // centos8-librdkafka.so, which needs only libc. Confluent.Kafka imports "librdkafka" and
    // falls back to the centos8 build when that does not load; Resolve tries the same names in
    // the same order, so the mock and the clients share one loaded copy of the same library.
    private const string LibraryName = "librdkafka";
    private static readonly string[] LibraryFiles = [LibraryName, "centos8-librdkafka.so"];

    static MockKafkaCluster() => NativeLibrary.SetDllImportResolver(typeof(MockKafkaCluster).Assembly, Resolve);

    private readonly IntPtr _handle;
    private IntPtr _cluster;

    private MockKafkaCluster(IntPtr handle, IntPtr cluster, int brokers)
    {
        _handle = handle;
        _cluster = cluster;
        Brokers = brokers;
        BootstrapServers = Marshal.PtrToStringUTF8(rd_kafka_mock_cluster_bootstraps(cluster))
            ?? throw new InvalidOperationException("mock cluster has no bootstrap address");
    }

    /// <summary>Comma-separated <c>host:port</c> list, as for any Kafka client.</summary>
    public string BootstrapServers { get; }

    public int Brokers { get; }

    public static MockKafkaCluster Start(int brokers = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);

        // The mock cluster lives inside a client handle; a producer with default settings is
        // the lightest one. It never sends anything.
        var errors = new byte[512];
        var conf = rd_kafka_conf_new();

        // The handle has no bootstrap servers of its own, and says so at notice level on stderr.
        rd_kafka_conf_set(conf, "log_level", "4", errors, (nuint)errors.Length);
        var handle = rd_kafka_new(0, conf, errors, (nuint)errors.Length);
        if (handle == IntPtr.Zero)
        {
            throw new InvalidOperationException($"rd_kafka_new failed: {Encoding.UTF8.GetString(errors).TrimEnd('\0')}");
        }

        var cluster = rd_kafka_mock_cluster_new(handle, brokers);
        if (cluster == IntPtr.Zero)
        {
            rd_kafka_destroy(handle);
            throw new InvalidOperationException("rd_kafka_mock_cluster_new failed");
        }

        return new MockKafkaCluster(handle, cluster, brokers);
    }

    /// <summary>
    /// Creates a topic with this many partitions. Admin CreateTopics against the mock times out
    /// in librdkafka 2.16 ("waiting for controller"), and a topic it auto-creates on first use
    /// always gets 4 partitions.
    /// </summary>
    public void CreateTopic(string topic, int partitions, int replicationFactor = 1) =>
        Check(rd_kafka_mock_topic_create(Cluster, topic, partitions, Math.Min(replicationFactor, Brokers)), $"create topic {topic}");

    /// <summary>Takes a broker off the network: its connections drop and it refuses new ones. Ids start at 1.</summary>
    public void SetBrokerDown(int brokerId) => Check(rd_kafka_mock_broker_set_down(Cluster, brokerId), $"set broker {brokerId} down");

    public void SetBrokerUp(int brokerId) => Check(rd_kafka_mock_broker_set_up(Cluster, brokerId), $"set broker {brokerId} up");

    /// <summary>Every broker down (<c>false</c>) or up (<c>true</c>).</summary>
    public void SetAllBrokers(bool up)
    {
        for (var id = 1; id <= Brokers; id++)
        {
            if (up)
            {
                SetBrokerUp(id);
            }
            else
            {
                SetBrokerDown(id);
            }
        }
    }

    /// <summary>
    /// The next <paramref name="errors"/>.Length requests with this API key (0 = Produce,
    /// 1 = Fetch, 8 = OffsetCommit, …) are answered with these error codes, in order.
    /// </summary>
    public void PushRequestErrors(short apiKey, params int[] errors) =>
        rd_kafka_mock_push_request_errors_array(Cluster, apiKey, (nuint)errors.Length, errors);

    public void Dispose()
    {
        var cluster = Interlocked.Exchange(ref _cluster, IntPtr.Zero);
        if (cluster != IntPtr.Zero)
        {
            rd_kafka_mock_cluster_destroy(cluster);
            rd_kafka_destroy(_handle);
        }
    }

    private IntPtr Cluster => _cluster != IntPtr.Zero ? _cluster : throw new ObjectDisposedException(nameof(MockKafkaCluster));

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            throw new InvalidOperationException($"mock cluster: {what} failed with {Marshal.PtrToStringUTF8(rd_kafka_err2str(error))}");
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != LibraryName)
        {
            return IntPtr.Zero;
        }

        foreach (var file in LibraryFiles)
        {
            if (NativeLibrary.TryLoad(file, assembly, searchPath, out var handle))
            {
                return handle;
            }
        }

        return IntPtr.Zero;
    }

    [LibraryImport(LibraryName)]
    private static partial IntPtr rd_kafka_conf_new();

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rd_kafka_conf_set(IntPtr conf, string name, string value, [Out] byte[] errstr, nuint errstrSize);

    [LibraryImport(LibraryName)]
    private static partial IntPtr rd_kafka_new(int type, IntPtr conf, [Out] byte[] errstr, nuint errstrSize);

    [LibraryImport(LibraryName)]
    private static partial void rd_kafka_destroy(IntPtr rk);

    [LibraryImport(LibraryName)]
    private static partial IntPtr rd_kafka_err2str(int err);

    [LibraryImport(LibraryName)]
    private static partial IntPtr rd_kafka_mock_cluster_new(IntPtr rk, int brokerCount);

    [LibraryImport(LibraryName)]
    private static partial void rd_kafka_mock_cluster_destroy(IntPtr cluster);

    [LibraryImport(LibraryName)]
    private static partial IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr cluster);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rd_kafka_mock_topic_create(IntPtr cluster, string topic, int partitions, int replicationFactor);

    [LibraryImport(LibraryName)]
    private static partial int rd_kafka_mock_broker_set_down(IntPtr cluster, int brokerId);

    [LibraryImport(LibraryName)]
    private static partial int rd_kafka_mock_broker_set_up(IntPtr cluster, int brokerId);

    [LibraryImport(LibraryName)]
    private static partial void rd_kafka_mock_push_request_errors_array(IntPtr cluster, short apiKey, nuint count, int[] errors);
}
