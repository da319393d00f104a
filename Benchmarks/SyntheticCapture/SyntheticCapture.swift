import Foundation
import KHOABI
import KHOImage

/// A synthetic KHO capture for import measurements: an ELF core covering
/// all of RAM in one `PT_LOAD` (a sparse file: memory nobody preserved is a
/// hole) and its kho-v3 root FDT.
///
/// Layout (4 KiB pages, RAM at 4 GiB): half of the preserved memory is a
/// huge vmalloc area (order-9 blocks in every other 2 MiB slot from the
/// start of RAM, its descriptor in the blob of subtree `bulk`), half is
/// order-0 pages in runs of 16 with 16-page gaps from the middle of RAM;
/// chunk pages, descriptor, root FDT and tracker nodes sit in the top
/// 64 MiB. Preserved pages hold random bytes, seeded by their address.
public struct SyntheticCapture {
    public let layout: SyntheticLayout
    /// The ELF core.
    public let elfPath: String
    /// The root FDT.
    public let fdtPath: String

    /// Writes `capture.elf` and `capture.dtb` of `layout` into `directory`.
    public init(layout: SyntheticLayout, directory: String) throws {
        self.layout = layout
        elfPath = URL(fileURLWithPath: directory).appendingPathComponent("capture.elf").path
        fdtPath = URL(fileURLWithPath: directory).appendingPathComponent("capture.dtb").path
        let image = try layout.image()
        try ElfCoreWriter(alignment: SyntheticLayout.geometry.pageSize).write(ranges: image.mappedRanges, from: image, toPath: elfPath)
        let fdt = try OutputFile(path: fdtPath)
        try fdt.append(layout.fdt())
        try fdt.commit()
    }

    /// The arguments of `kholedger import` that read this capture.
    public var importArguments: [String] {
        ["import", "--fdt", fdtPath, "--image", elfPath, "--vmalloc", "\(SyntheticLayout.areaName)=\(hex(layout.descriptor))"]
    }
}
