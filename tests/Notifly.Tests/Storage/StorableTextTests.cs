// StorableText: which strings PostgreSQL cannot store, found with their JSON path in one pass
// over a body. Pure; the edge's use of it is BadInputCorpusTests'.
using System.Buffers;
using System.Text;
using Notifly.Grains.Storage;

namespace Notifly.Tests.Storage;

public class StorableTextTests
{
    [Fact]
    public void Knows_what_can_be_stored()
    {
        // Built here rather than passed as theory data: the runner's serialisation would turn a lone surrogate into U+FFFD.
        var cases = new (string Text, bool Storable)[]
        {
            ("plain", true), ("", true), ("émoji 😀 and 中文", true), ("a\0b", false),
            ("lone high " + (char)0xD800, false), ((char)0xDC00 + " lone low", false), ("reversed pair " + (char)0xDE00 + (char)0xD83D, false),
        };

        cases.Where(c => StorableText.IsStorable(c.Text) != c.Storable).Select(c => c.Text).Should().BeEmpty();
    }

    [Fact]
    public void Finds_every_unstorable_string_with_its_path()
    {
        var json = """
            {"ok":"fine","subject":"a\u0000b","payload":{"list":[1,{"deep":["x","\ud800"]}],"\u0000":2,"odd key":"\udfff"},
             "emoji":"\ud83d\ude00","n":[{"a":1},{"b":"\u0000"}]}
            """;

        StorableText.FindInJson(Encoding.UTF8.GetBytes(json)).Select(f => f.Path).Should().Equal(
            "$.subject", "$.payload.list[1].deep[1]", "$.payload", "$.payload['odd key']", "$.n[1].b");
    }

    [Fact]
    public void Finds_bytes_that_are_not_utf8_in_values_and_names()
    {
        byte[] json = [.. "{\"a\":\"x"u8, 0xC3, 0x28, .. "\",\""u8, 0xFF, .. "\":1}"u8];

        var found = StorableText.FindInJson(json);

        found.Select(f => f.Path).Should().Equal("$.a", "$");
        found[0].Problem.Should().Contain("UTF-8");
        found[1].Problem.Should().StartWith("a property name");
    }

    [Fact]
    public void Reads_a_body_split_across_buffers()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"k\":\"" + new string('x', 5000) + "\\u0000\"}");
        var first = new Segment(bytes.AsMemory(0, 3001));
        var last = first.Append(bytes.AsMemory(3001));

        StorableText.FindInJson(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length)).Should().ContainSingle().Which.Path.Should().Be("$.k");
    }

    [Fact]
    public void Leaves_malformed_json_to_the_deserialiser() =>
        StorableText.FindInJson("{\"a\":"u8.ToArray()).Should().BeEmpty();

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
