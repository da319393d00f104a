/// ELF64 constants and field offsets (System V gABI) used by the core reader
/// and writer. Only what an ET_CORE file of PT_LOAD segments needs.
enum ELF64 {
    static let magic: [UInt8] = [0x7f, 0x45, 0x4c, 0x46]
    /// `e_ident[EI_CLASS]` value ELFCLASS64.
    static let class64: UInt8 = 2
    /// `e_ident[EI_DATA]` value ELFDATA2LSB.
    static let littleEndian: UInt8 = 1
    /// `e_ident[EI_VERSION]` and `e_version` value EV_CURRENT.
    static let currentVersion: UInt8 = 1
    /// `e_type` value ET_CORE.
    static let typeCore: UInt16 = 4
    /// `p_type` value PT_LOAD.
    static let loadSegment: UInt32 = 1
    /// `p_flags` PF_R | PF_W | PF_X.
    static let readWriteExecute: UInt32 = 7
    /// `e_phnum` value PN_XNUM: the real count is `sh_info` of section header 0.
    static let extendedNumbering: UInt16 = 0xffff

    static let headerSize = 64
    static let programHeaderSize = 56
    static let sectionHeaderSize = 64

    /// Byte offsets inside the file header (`Elf64_Ehdr`).
    enum Header {
        static let identClass = 4
        static let identData = 5
        static let type = 16
        static let machine = 18
        static let programHeaderOffset = 32
        static let sectionHeaderOffset = 40
        static let programHeaderEntrySize = 54
        static let programHeaderCount = 56
        static let sectionHeaderEntrySize = 58
    }

    /// Byte offsets inside a program header (`Elf64_Phdr`).
    enum ProgramHeader {
        static let type = 0
        static let offset = 8
        static let paddr = 24
        static let fileSize = 32
        static let memorySize = 40
    }

    /// Offset of `sh_info` inside a section header (`Elf64_Shdr`).
    static let sectionInfo = 44
}
