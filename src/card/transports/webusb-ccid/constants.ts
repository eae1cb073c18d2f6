/**
 * USB CCID (Device Class: Smart Card, CCID Specification for Integrated Circuit(s) Cards
 * Interface Devices, revision 1.1, 2005) byte layouts and codes used by this transport.
 */

/** USB interface class of a CCID (USB-IF "Smart Card"). Some readers (SPR532) use 0xFF with the same class descriptor. */
export const USB_CLASS_CCID = 0x0b;
export const USB_CLASS_VENDOR = 0xff;

/**
 * USB 2.0 §9.6 standard descriptor types and the GET_DESCRIPTOR request.
 *
 *   | bDescriptorType | descriptor         |
 *   |-----------------|--------------------|
 *   | 0x01            | DEVICE             |
 *   | 0x02            | CONFIGURATION      |
 *   | 0x04            | INTERFACE          |
 *   | 0x05            | ENDPOINT           |
 *   | 0x21            | CCID class (§5.1)  |
 */
export const DESC_DEVICE = 0x01;
export const DESC_CONFIGURATION = 0x02;
export const DESC_INTERFACE = 0x04;
export const DESC_ENDPOINT = 0x05;
export const DESC_CCID = 0x21;
export const REQ_GET_DESCRIPTOR = 0x06;
export const CONFIG_HEADER_LENGTH = 9;
export const INTERFACE_DESC_LENGTH = 9;
export const ENDPOINT_DESC_LENGTH = 7;
/** bmAttributes b1..b0 of an endpoint: transfer type. */
export const EP_TYPE_MASK = 0x03;
export const EP_TYPE_BULK = 0x02;
export const EP_TYPE_INTERRUPT = 0x03;
/** bEndpointAddress b7: direction IN; b3..b0: endpoint number. */
export const EP_DIR_IN = 0x80;
export const EP_NUMBER_MASK = 0x0f;

/**
 * CCID §5.1 Table 5.1-1, Smart Card Device Class Descriptor (54 bytes, little-endian):
 *
 *   | off | field                   | size |
 *   |-----|-------------------------|------|
 *   | 0   | bLength (0x36)          | 1    |
 *   | 1   | bDescriptorType (0x21)  | 1    |
 *   | 2   | bcdCCID                 | 2    |
 *   | 4   | bMaxSlotIndex           | 1    |
 *   | 5   | bVoltageSupport         | 1    |
 *   | 6   | dwProtocols             | 4    |
 *   | 10  | dwDefaultClock (kHz)    | 4    |
 *   | 14  | dwMaximumClock (kHz)    | 4    |
 *   | 18  | bNumClockSupported      | 1    |
 *   | 19  | dwDataRate (bps)        | 4    |
 *   | 23  | dwMaxDataRate (bps)     | 4    |
 *   | 27  | bNumDataRatesSupported  | 1    |
 *   | 28  | dwMaxIFSD               | 4    |
 *   | 32  | dwSynchProtocols        | 4    |
 *   | 36  | dwMechanical            | 4    |
 *   | 40  | dwFeatures              | 4    |
 *   | 44  | dwMaxCCIDMessageLength  | 4    |
 *   | 48  | bClassGetResponse       | 1    |
 *   | 49  | bClassEnvelope          | 1    |
 *   | 50  | wLcdLayout              | 2    |
 *   | 52  | bPINSupport             | 1    |
 *   | 53  | bMaxCCIDBusySlots       | 1    |
 */
export const CCID_DESC_LENGTH = 0x36;

/** dwProtocols bits. */
export const PROTOCOL_T0 = 0x0001;
export const PROTOCOL_T1 = 0x0002;

/**
 * dwFeatures (CCID §5.1, Table 5.1-1). The exchange level is one of the 0x00070000 bits;
 * none of them means character level, which this transport does not drive.
 *
 *   | bit        | meaning                                                  |
 *   |------------|----------------------------------------------------------|
 *   | 0x00000002 | automatic parameter configuration based on ATR data     |
 *   | 0x00000004 | automatic activation of ICC on inserting                |
 *   | 0x00000008 | automatic ICC voltage selection                         |
 *   | 0x00000010 | automatic ICC clock frequency change                    |
 *   | 0x00000020 | automatic baud rate change                              |
 *   | 0x00000040 | automatic parameters negotiation made by the CCID       |
 *   | 0x00000080 | automatic PPS made by the CCID                          |
 *   | 0x00000100 | CCID can set ICC in clock stop mode                     |
 *   | 0x00000200 | NAD value other than 00 accepted (T=1)                  |
 *   | 0x00000400 | automatic IFSD exchange as first exchange (T=1)         |
 *   | 0x00000800 | ICCD token                                               |
 *   | 0x00010000 | TPDU level exchange                                      |
 *   | 0x00020000 | short APDU level exchange                                |
 *   | 0x00040000 | short and extended APDU level exchange                   |
 *   | 0x00100000 | USB wake up signaling on card insertion and removal     |
 */
export const FEATURE_AUTO_PARAMETERS_FROM_ATR = 0x00000002;
export const FEATURE_AUTO_PARAMETER_NEGOTIATION = 0x00000040;
export const FEATURE_AUTO_PPS = 0x00000080;
export const FEATURE_AUTO_IFSD = 0x00000400;
export const FEATURE_ICCD_TOKEN = 0x00000800;
export const FEATURE_LEVEL_TPDU = 0x00010000;
export const FEATURE_LEVEL_SHORT_APDU = 0x00020000;
export const FEATURE_LEVEL_EXTENDED_APDU = 0x00040000;
export const FEATURE_LEVEL_MASK = 0x00070000;

/**
 * CCID §6.1 and §6.2: every bulk message starts with a 10-byte header.
 *
 *   | off | field          | size | note                                   |
 *   |-----|----------------|------|----------------------------------------|
 *   | 0   | bMessageType   | 1    |                                        |
 *   | 1   | dwLength       | 4    | little-endian, bytes after the header  |
 *   | 5   | bSlot          | 1    |                                        |
 *   | 6   | bSeq           | 1    | the reply echoes the command's bSeq    |
 *   | 7   | (3 bytes)      | 3    | per message, below                     |
 *
 *   PC_to_RDR_IccPowerOn     bPowerSelect, abRFU(2)
 *   PC_to_RDR_XfrBlock       bBWI, wLevelParameter (LE)
 *   PC_to_RDR_SetParameters  bProtocolNum, abRFU(2)
 *   RDR_to_PC_*              bStatus, bError, then bChainParameter (DataBlock) /
 *                            bClockStatus (SlotStatus) / bProtocolNum (Parameters)
 */
export const HEADER_LENGTH = 10;
export const OFF_TYPE = 0;
export const OFF_LENGTH = 1;
export const OFF_SLOT = 5;
export const OFF_SEQ = 6;
export const OFF_SPECIFIC = 7;
export const OFF_STATUS = 7;
export const OFF_ERROR = 8;
export const OFF_CHAIN = 9;

/** CCID §6.1 bulk-OUT message types. */
export const PC_TO_RDR_ICC_POWER_ON = 0x62;
export const PC_TO_RDR_ICC_POWER_OFF = 0x63;
export const PC_TO_RDR_GET_SLOT_STATUS = 0x65;
export const PC_TO_RDR_XFR_BLOCK = 0x6f;
export const PC_TO_RDR_GET_PARAMETERS = 0x6c;
export const PC_TO_RDR_SET_PARAMETERS = 0x61;
export const PC_TO_RDR_ABORT = 0x72;

/** CCID §6.2 bulk-IN message types. */
export const RDR_TO_PC_DATA_BLOCK = 0x80;
export const RDR_TO_PC_SLOT_STATUS = 0x81;
export const RDR_TO_PC_PARAMETERS = 0x82;
export const RDR_TO_PC_ESCAPE = 0x83;
export const RDR_TO_PC_DATA_RATE_AND_CLOCK = 0x84;

/** CCID §6.3 interrupt-IN message types. */
export const RDR_TO_PC_NOTIFY_SLOT_CHANGE = 0x50;
export const RDR_TO_PC_HARDWARE_ERROR = 0x51;

/** bPowerSelect of PC_to_RDR_IccPowerOn: 0 = automatic voltage selection. */
export const POWER_SELECT_AUTO = 0x00;

/**
 * CCID §6.2.6 bStatus:
 *
 *   | bits | field            | values                                              |
 *   |------|------------------|-----------------------------------------------------|
 *   | 1..0 | bmICCStatus      | 0 present and active, 1 present and inactive, 2 no ICC |
 *   | 5..2 | RFU              |                                                     |
 *   | 7..6 | bmCommandStatus  | 0 processed, 1 failed (see bError), 2 time extension requested |
 */
export const ICC_STATUS_MASK = 0x03;
export const ICC_ACTIVE = 0;
export const ICC_INACTIVE = 1;
export const ICC_ABSENT = 2;
export const COMMAND_STATUS_SHIFT = 6;
export const COMMAND_OK = 0;
export const COMMAND_FAILED = 1;
export const COMMAND_TIME_EXTENSION = 2;

/**
 * CCID §6.2.6 Table 6.2-2, bError when bmCommandStatus = 1 (failed):
 *
 *   | value     | name                          |
 *   |-----------|-------------------------------|
 *   | 0xFF      | CMD_ABORTED                   |
 *   | 0xFE      | ICC_MUTE                      |
 *   | 0xFD      | XFR_PARITY_ERROR              |
 *   | 0xFC      | XFR_OVERRUN                   |
 *   | 0xFB      | HW_ERROR                      |
 *   | 0xF8      | BAD_ATR_TS                    |
 *   | 0xF7      | BAD_ATR_TCK                   |
 *   | 0xF6      | ICC_PROTOCOL_NOT_SUPPORTED    |
 *   | 0xF5      | ICC_CLASS_NOT_SUPPORTED       |
 *   | 0xF4      | PROCEDURE_BYTE_CONFLICT       |
 *   | 0xF3      | DEACTIVATED_PROTOCOL          |
 *   | 0xF2      | BUSY_WITH_AUTO_SEQUENCE       |
 *   | 0xF0      | PIN_TIMEOUT                   |
 *   | 0xEF      | PIN_CANCELLED                 |
 *   | 0xE0      | CMD_SLOT_BUSY                 |
 *   | 0x01-0x7F | offset of a bad message field |
 *   | 0x00      | command not supported         |
 */
export const ERR_CMD_ABORTED = 0xff;
export const ERR_ICC_MUTE = 0xfe;
export const ERR_XFR_PARITY = 0xfd;
export const ERR_XFR_OVERRUN = 0xfc;
export const ERR_HW_ERROR = 0xfb;
export const ERR_BAD_ATR_TS = 0xf8;
export const ERR_BAD_ATR_TCK = 0xf7;
export const ERR_ICC_PROTOCOL_NOT_SUPPORTED = 0xf6;
export const ERR_ICC_CLASS_NOT_SUPPORTED = 0xf5;
export const ERR_PROCEDURE_BYTE_CONFLICT = 0xf4;
export const ERR_DEACTIVATED_PROTOCOL = 0xf3;
export const ERR_BUSY_WITH_AUTO_SEQUENCE = 0xf2;
export const ERR_PIN_TIMEOUT = 0xf0;
export const ERR_PIN_CANCELLED = 0xef;
export const ERR_CMD_SLOT_BUSY = 0xe0;
export const ERR_CMD_NOT_SUPPORTED = 0x00;

/**
 * CCID §6.1.4 wLevelParameter of PC_to_RDR_XfrBlock, and §6.2.1 bChainParameter of
 * RDR_to_PC_DataBlock, at extended APDU level:
 *
 *   | value  | command (wLevelParameter)              | response (bChainParameter)             |
 *   |--------|----------------------------------------|----------------------------------------|
 *   | 0x00   | the APDU begins and ends here          | the response begins and ends here      |
 *   | 0x01   | begins here, continues in the next     | begins here, continues in the next     |
 *   | 0x02   | continues and ends here                | continues and ends here                |
 *   | 0x03   | continues here, another block follows  | continues here, another block follows  |
 *   | 0x10   | empty: continue the response, please   | empty: send the rest of the command    |
 */
export const CHAIN_BEGIN_AND_END = 0x00;
export const CHAIN_BEGIN = 0x01;
export const CHAIN_END = 0x02;
export const CHAIN_CONTINUE = 0x03;
export const CHAIN_EMPTY_MORE = 0x10;

/**
 * PC_to_RDR_SetParameters for T=1 (CCID §6.1.7, Table 6.1-7), abProtocolDataStructure:
 *
 *   | off | field               | value                                           |
 *   |-----|---------------------|-------------------------------------------------|
 *   | 0   | bmFindexDindex      | TA1                                             |
 *   | 1   | bmTCCKST1           | 0x10 | b1 convention (1 inverse) | b0 EDC (1 CRC) |
 *   | 2   | bGuardTimeT1        | TC1                                             |
 *   | 3   | bmWaitingIntegersT1 | BWI << 4 | CWI                                  |
 *   | 4   | bClockStop          | 0 (stopping the clock is not allowed)           |
 *   | 5   | bIFSC               | IFSC                                            |
 *   | 6   | bNadValue           | NAD (0)                                         |
 */
export const T1_PARAMETERS_LENGTH = 7;
export const TCCKST1_BASE = 0x10;
export const TCCKST1_CRC = 0x01;
export const TCCKST1_INVERSE = 0x02;
export const PROTOCOL_NUM_T1 = 0x01;

/**
 * CCID §5.3 class-specific request ABORT (bmRequestType 0x21, interface recipient),
 * wValue = bSeq << 8 | bSlot; followed by PC_to_RDR_Abort with the same bSeq.
 */
export const REQ_ABORT = 0x01;
