/// A subtree the kernel's KHO test module (`lib/test_kho.c`) registers: its
/// name and the `magic` its FDT carries, which `kho_test_restore` checks.
///
/// Up to 7.1 the module registers one subtree, `kho_test` ("KHO!"). The
/// 7.2-era module keeps four (`kho_superstate[]`): `kho_test0` … `kho_test3`
/// with magics "KHO0" … "KHO3". The first boot preserves `kho_test0` (its
/// data allocated at core_initcall) and `kho_test1`; a boot with
/// `second_boot` restores those two and preserves `kho_test2` (early) and
/// `kho_test3`; a boot with `third_boot` restores `kho_test2` and `kho_test3`.
public struct KHOTestSubtree: Hashable, Sendable, CustomStringConvertible {
    /// The subtree name.
    public let name: String
    /// The native-endian u32 at the FDT's root `magic`.
    public let magic: UInt32

    /// The one subtree of the 6.16 – 7.1 module.
    public static let single = KHOTestSubtree(name: "kho_test", magic: 0x4b48_4f21)
    /// The four subtrees of the 7.2-era module, in `kho_superstate[]` order.
    public static let chain = (0 ..< 4).map { KHOTestSubtree(name: "kho_test\($0)", magic: 0x4b48_4f30 + UInt32($0)) }
    /// Every subtree name a test module of any release registers.
    public static let all = [single] + chain

    /// The known subtree called `name`, if any.
    public init?(name: String) {
        guard let known = Self.all.first(where: { $0.name == name }) else { return nil }
        self = known
    }

    private init(name: String, magic: UInt32) {
        self.name = name
        self.magic = magic
    }

    /// The name kholedger gives the vmalloc area holding the folio array.
    public var foliosInfoAreaName: String { name + "/folios_info" }
    /// The name kholedger gives each data folio.
    public var folioName: String { name + "/folio" }

    /// The magic as four ASCII characters, most significant byte first
    /// ("KHO0", as the kernel's source names it).
    public var magicText: String {
        String(decoding: withUnsafeBytes(of: magic.bigEndian, Array.init), as: UTF8.self)
    }

    public var description: String { name }
}
