import Testing

@testable import TesseraStore

@Suite("Stable names and digests")
struct StableNamesTests {
    @Test("key hashes and index names never change between versions (existing databases depend on them)")
    func pinned() {
        // SHA-256("abc"), the FIPS 180-2 test vector.
        #expect(APIKey.hashHex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(ObjectName.make("ux", entity: "lead", field: "phone") == "ux_813465b595bd4c81")
        #expect(SQLIdentifier.quote("lead") == "\"lead\"")
        #expect(SQLIdentifier.qualified("t_acme", "lead") == "\"t_acme\".\"lead\"")
    }
}
