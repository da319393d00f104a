import Foundation
import KHOABI

/// What `kholedger abi --kernel R` prints: release R's KHO behaviours, in
/// one order for text and JSON, each with the kernel function it follows.
struct KernelReleaseTable {
    let release: KernelRelease

    /// (JSON key, text label, value, kernel source) in display order.
    var rows: [(key: String, label: String, value: String, source: String)] {
        let abi = release.abi
        let files = release.bootMemoryFiles
        return [
            ("compatible", "root FDT compatible", abi.compatible, "KHO_FDT_COMPATIBLE"),
            ("abi", "ABI generation", abi.rawValue, "KHO-ABI.md §8"),
            ("tracker", "preserved-memory tracker",
             abi.bitmapVariant.map { "bitmaps (\($0.bitmapName) bitmaps, serialized at finalize)" } ?? "radix tree",
             abi.usesRadixTracker ? "kho_radix_add_key" : "kho_mem_serialize"),
            ("subtree_address_property", "subtree address property", abi.subtreeAddressProperty, "kho_add_subtree"),
            ("blob_size", "subtree blob-size property", yes(abi.hasBlobSize), "kho_add_subtree"),
            ("restore_checks_magic", "restore checks the head page's KHO magic", yes(abi.restoreChecksMagic), "kho_restore_page"),
            ("restore_checks_max_page_order", "restore refuses stored order > MAX_PAGE_ORDER", yes(abi.restoreChecksMaxPageOrder), "kho_restore_page"),
            ("numa_cut", "preserve/unpreserve split at NUMA nodes", yes(abi.splitsAtNUMANodes), "__kho_preserve_pages_order"),
            ("kexec_metadata", "kexec-metadata subtree at every boot", yes(abi.addsKexecMetadata), "kho_out_kexec_metadata"),
            ("root_fdt", "root FDT written",
             release.writesRootFDTAtFinalize ? "whole, at finalize" : abi.usesRadixTracker ? "at init, edited in place" : "at init (map 0), map set at finalize",
             release.writesRootFDTAtFinalize ? "kho_finalize" : "kho_out_fdt_setup"),
            ("subtree_add_failure", "failed kho_add_subtree", release.subtreeAddFailure.rawValue, "kho_add_subtree"),
            ("boot_memory", "boot memory is called", release.bootMemoryName, "kho_reserve_scratch"),
            ("debugfs_boot_memory", "debugfs boot-memory files", "out/\(files.phys), out/\(files.length)", "kho_out_debugfs_init"),
            ("debugfs_finalize", "debugfs out/finalize (serialize on 1)", yes(release.finalizesHandover), "kho_out_debugfs_init"),
            ("extended_scratch", "early allocations from any unpreserved range", yes(release.extendedScratch), "kho_extend_scratch"),
            ("luo", "Live Update Orchestrator", release.liveUpdateFormat?.rawValue ?? "none", "luo_core.c"),
            ("test_kho", "lib/test_kho.c layout", release.testModule.rawValue, "kho_test_preserve"),
        ]
    }

    private func yes(_ value: Bool) -> String { value ? "yes" : "no" }

    var text: String {
        let width = rows.map(\.label.count).max() ?? 0
        let valueWidth = rows.map(\.value.count).max() ?? 0
        var lines = ["KHO behaviour of Linux \(release) (uname -r \(release.unameRelease))"]
        for row in rows {
            lines.append(row.label.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                + row.value.padding(toLength: valueWidth, withPad: " ", startingAt: 0) + "  " + row.source)
        }
        lines.append("kernel sources, per behaviour: docs/kernel-releases.md")
        return lines.joined(separator: "\n")
    }

    var json: String {
        get throws {
            var object: [String: Any] = ["kernel": release.rawValue, "uname_release": release.unameRelease]
            for row in rows { object[row.key] = row.value }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            return String(decoding: data, as: UTF8.self)
        }
    }
}
