/** DICOM PS3.15 Annex E, Table E.1-1: the attributes of the Basic Application Confidentiality Profile and
 * the action the "Basic Prof." column gives each (applied by deidentify.ts). */

export type ProfileAction = 'D' | 'Z' | 'X' | 'U' | 'Z/D' | 'X/Z' | 'X/D' | 'X/Z/D' | 'X/Z/U*';

/** PS3.15 Table E.1-1, Basic Profile: tag (GGGGEEEE) and action. Repeating groups (curves 50xx, overlays
 * 60xx) and private groups are handled by rule, not listed. */
export const BASIC_PROFILE: readonly (readonly [tag: string, action: ProfileAction])[] = [
  ['00080050', 'Z'], // Accession Number
  ['00184000', 'X'], // Acquisition Comments
  ['00400555', 'X'], // Acquisition Context Sequence
  ['00080022', 'X/Z'], // Acquisition Date
  ['0008002A', 'X/D'], // Acquisition DateTime
  ['00181400', 'X/D'], // Acquisition Device Processing Description
  ['001811BB', 'D'], // Acquisition Field Of View Label
  ['00189424', 'X'], // Acquisition Protocol Description
  ['00080032', 'X/Z'], // Acquisition Time
  ['00080017', 'U'], // Acquisition UID
  ['00404035', 'X'], // Actual Human Performers Sequence
  ['001021B0', 'X'], // Additional Patient History
  ['0040A353', 'X'], // Address (Trial)
  ['00380010', 'X'], // Admission ID
  ['00380020', 'X'], // Admitting Date
  ['00081084', 'X'], // Admitting Diagnoses Code Sequence
  ['00081080', 'X'], // Admitting Diagnoses Description
  ['00380021', 'X'], // Admitting Time
  ['00102110', 'X'], // Allergies
  ['40000010', 'X'], // Arbitrary
  ['0040A078', 'X'], // Author Observer Sequence
  ['00101081', 'X'], // Branch of Service
  ['00181007', 'X'], // Cassette ID
  ['00400280', 'X'], // Comments on the Performed Procedure Step
  ['00209161', 'U'], // Concatenation UID
  ['00403001', 'X'], // Confidentiality Constraint on Patient Data Description
  ['0008009D', 'X'], // Consulting Physician Identification Sequence
  ['0008009C', 'Z'], // Consulting Physician's Name
  ['00700086', 'X'], // Content Creator's Identification Code Sequence
  ['00700084', 'Z'], // Content Creator's Name
  ['00080023', 'Z/D'], // Content Date
  ['0040A730', 'X'], // Content Sequence
  ['00080033', 'Z/D'], // Content Time
  ['0008010D', 'U'], // Context Group Extension Creator UID
  ['00180010', 'Z/D'], // Contrast/Bolus Agent
  ['0018A003', 'X'], // Contribution Description
  ['00102150', 'X'], // Country of Residence
  ['00089123', 'U'], // Creator-Version UID
  ['00380300', 'X'], // Current Patient Location
  ['00080025', 'X'], // Curve Date
  ['00080035', 'X'], // Curve Time
  ['0040A07C', 'X'], // Custodial Organization Sequence
  ['FFFCFFFC', 'X'], // Data Set Trailing Padding
  ['00082111', 'X'], // Derivation Description
  ['0018700A', 'X/D'], // Detector ID
  ['00181000', 'X/Z/D'], // Device Serial Number
  ['00181002', 'U'], // Device UID
  ['04000100', 'X'], // Digital Signature UID
  ['FFFAFFFA', 'X'], // Digital Signatures Sequence
  ['00209164', 'U'], // Dimension Organization UID
  ['00380040', 'X'], // Discharge Diagnosis Description
  ['4008011A', 'X'], // Distribution Address
  ['40080119', 'X'], // Distribution Name
  ['300A0013', 'U'], // Dose Reference UID
  ['00189517', 'X/D'], // End Acquisition DateTime
  ['00102160', 'X'], // Ethnic Group
  ['00404011', 'X'], // Expected Completion DateTime
  ['00080058', 'U'], // Failed SOP Instance UID List
  ['0070031A', 'U'], // Fiducial UID
  ['00402017', 'Z'], // Filler Order Number / Imaging Service Request
  ['00209158', 'X'], // Frame Comments
  ['00200052', 'U'], // Frame of Reference UID
  ['00181008', 'X'], // Gantry ID
  ['00181005', 'X'], // Generator ID
  ['00700001', 'D'], // Graphic Annotation Sequence
  ['00404037', 'X'], // Human Performer's Name
  ['00404036', 'X'], // Human Performer's Organization
  ['00880200', 'X'], // Icon Image Sequence
  ['00084000', 'X'], // Identifying Comments
  ['00204000', 'X'], // Image Comments
  ['00284000', 'X'], // Image Presentation Comments
  ['00402400', 'X'], // Imaging Service Request Comments
  ['40080300', 'X'], // Impressions
  ['00080014', 'U'], // Instance Creator UID
  ['00080012', 'X/D'], // Instance Creation Date
  ['00080013', 'X/Z/D'], // Instance Creation Time
  ['04000600', 'X'], // Instance Origin Status
  ['00080081', 'X'], // Institution Address
  ['00080082', 'X/Z/D'], // Institution Code Sequence
  ['00080080', 'X/Z/D'], // Institution Name
  ['00081040', 'X'], // Institutional Department Name
  ['00081041', 'X'], // Institutional Department Type Code Sequence
  ['00101050', 'X'], // Insurance Plan Identification
  ['00401011', 'X'], // Intended Recipients of Results Identification Sequence
  ['40080111', 'X'], // Interpretation Approver Sequence
  ['4008010C', 'X'], // Interpretation Author
  ['40080115', 'X'], // Interpretation Diagnosis Description
  ['40080202', 'X'], // Interpretation ID Issuer
  ['40080102', 'X'], // Interpretation Recorder
  ['4008010B', 'X'], // Interpretation Text
  ['4008010A', 'X'], // Interpretation Transcriber
  ['00083010', 'U'], // Irradiation Event UID
  ['00380011', 'X'], // Issuer of Admission ID
  ['00100021', 'X'], // Issuer of Patient ID
  ['00380061', 'X'], // Issuer of Service Episode ID
  ['00281214', 'U'], // Large Palette Color Lookup Table UID
  ['001021D0', 'X'], // Last Menstrual Date
  ['04000404', 'X'], // MAC
  ['00020003', 'U'], // Media Storage SOP Instance UID
  ['00102000', 'X'], // Medical Alerts
  ['00101090', 'X'], // Medical Record Locator
  ['00101080', 'X'], // Military Rank
  ['04000550', 'X'], // Modified Attributes Sequence
  ['00203406', 'X'], // Modified Image Description
  ['00203401', 'X'], // Modifying Device ID
  ['00081060', 'X'], // Name of Physician(s) Reading Study
  ['00401010', 'X'], // Names of Intended Recipients of Results
  ['00102180', 'X'], // Occupation
  ['00081072', 'X/D'], // Operators' Identification Sequence
  ['00081070', 'X/Z/D'], // Operators' Name
  ['00402010', 'X'], // Order Callback Phone Number
  ['00402008', 'X'], // Order Entered By
  ['00402009', 'X'], // Order Enterer's Location
  ['04000561', 'X'], // Original Attributes Sequence
  ['00101000', 'X'], // Other Patient IDs
  ['00101002', 'X'], // Other Patient IDs Sequence
  ['00101001', 'X'], // Other Patient Names
  ['00080024', 'X'], // Overlay Date
  ['00080034', 'X'], // Overlay Time
  ['00281199', 'U'], // Palette Color Lookup Table UID
  ['0040A07A', 'X'], // Participant Sequence
  ['00101040', 'X'], // Patient Address
  ['00104000', 'X'], // Patient Comments
  ['00100020', 'Z'], // Patient ID
  ['00380500', 'X'], // Patient State
  ['00401004', 'X'], // Patient Transport Arrangements
  ['00101010', 'X'], // Patient's Age
  ['00100030', 'Z'], // Patient's Birth Date
  ['00101005', 'X'], // Patient's Birth Name
  ['00100032', 'X'], // Patient's Birth Time
  ['00380400', 'X'], // Patient's Institution Residence
  ['00100050', 'X'], // Patient's Insurance Plan Code Sequence
  ['00101060', 'X'], // Patient's Mother's Birth Name
  ['00100010', 'Z'], // Patient's Name
  ['00100101', 'X'], // Patient's Primary Language Code Sequence
  ['00100102', 'X'], // Patient's Primary Language Modifier Code Sequence
  ['001021F0', 'X'], // Patient's Religious Preference
  ['00100040', 'Z'], // Patient's Sex
  ['00102203', 'X/Z'], // Patient's Sex Neutered
  ['00101020', 'X'], // Patient's Size
  ['00102155', 'X'], // Patient's Telecom Information
  ['00102154', 'X'], // Patient's Telephone Numbers
  ['00101030', 'X'], // Patient's Weight
  ['00400243', 'X'], // Performed Location
  ['00400254', 'X'], // Performed Procedure Step Description
  ['00400250', 'X'], // Performed Procedure Step End Date
  ['00404051', 'X'], // Performed Procedure Step End DateTime
  ['00400251', 'X'], // Performed Procedure Step End Time
  ['00400253', 'X'], // Performed Procedure Step ID
  ['00400244', 'X'], // Performed Procedure Step Start Date
  ['00404050', 'X'], // Performed Procedure Step Start DateTime
  ['00400245', 'X'], // Performed Procedure Step Start Time
  ['00400241', 'X'], // Performed Station AE Title
  ['00404030', 'X'], // Performed Station Geographic Location Code Sequence
  ['00400242', 'X'], // Performed Station Name
  ['00404028', 'X'], // Performed Station Name Code Sequence
  ['00081052', 'X'], // Performing Physician Identification Sequence
  ['00081050', 'X'], // Performing Physician's Name
  ['00401102', 'X'], // Person Address
  ['00401101', 'D'], // Person Identification Code Sequence
  ['0040A123', 'D'], // Person Name
  ['00401104', 'X'], // Person Telecom Information
  ['00401103', 'X'], // Person Telephone Numbers
  ['40080114', 'X'], // Physician Approving Interpretation
  ['00081062', 'X'], // Physician(s) Reading Study Identification Sequence
  ['00081048', 'X'], // Physician(s) of Record
  ['00081049', 'X'], // Physician(s) of Record Identification Sequence
  ['00402016', 'Z'], // Placer Order Number / Imaging Service Request
  ['00181004', 'X'], // Plate ID
  ['00400012', 'X'], // Pre-Medication
  ['001021C0', 'X'], // Pregnancy Status
  ['00181030', 'X/D'], // Protocol Name
  ['00402001', 'X'], // Reason for the Imaging Service Request
  ['00321030', 'X'], // Reason for Study
  ['04000402', 'X'], // Referenced Digital Signature Sequence
  ['30060024', 'U'], // Referenced Frame of Reference UID
  ['00404023', 'U'], // Referenced General Purpose Scheduled Procedure Step Transaction UID
  ['00081140', 'X/Z/U*'], // Referenced Image Sequence
  ['00380004', 'X'], // Referenced Patient Alias Sequence
  ['00101100', 'X'], // Referenced Patient Photo Sequence
  ['00081120', 'X'], // Referenced Patient Sequence
  ['00081111', 'X/Z/D'], // Referenced Performed Procedure Step Sequence
  ['04000403', 'X'], // Referenced SOP Instance MAC Sequence
  ['00081155', 'U'], // Referenced SOP Instance UID
  ['00041511', 'U'], // Referenced SOP Instance UID in File
  ['00081110', 'X/Z'], // Referenced Study Sequence
  ['00080092', 'X'], // Referring Physician's Address
  ['00080096', 'X'], // Referring Physician Identification Sequence
  ['00080090', 'Z'], // Referring Physician's Name
  ['00080094', 'X'], // Referring Physician's Telephone Numbers
  ['00102152', 'X'], // Region of Residence
  ['300600C2', 'U'], // Related Frame of Reference UID
  ['00400275', 'X'], // Request Attributes Sequence
  ['00321070', 'X'], // Requested Contrast Agent
  ['00401400', 'X'], // Requested Procedure Comments
  ['00321060', 'X/Z'], // Requested Procedure Description
  ['00401001', 'X'], // Requested Procedure ID
  ['00401005', 'X'], // Requested Procedure Location
  ['00321032', 'X'], // Requesting Physician
  ['00321033', 'X'], // Requesting Service
  ['00102299', 'X'], // Responsible Organization
  ['00102297', 'X'], // Responsible Person
  ['40084000', 'X'], // Results Comments
  ['40080118', 'X'], // Results Distribution List Sequence
  ['40080042', 'X'], // Results ID Issuer
  ['300E0008', 'X/Z'], // Reviewer Name
  ['00404034', 'X'], // Scheduled Human Performers Sequence
  ['0038001E', 'X'], // Scheduled Patient Institution Residence
  ['0040000B', 'X'], // Scheduled Performing Physician Identification Sequence
  ['00400006', 'X'], // Scheduled Performing Physician's Name
  ['00400004', 'X'], // Scheduled Procedure Step End Date
  ['00400005', 'X'], // Scheduled Procedure Step End Time
  ['00400007', 'X'], // Scheduled Procedure Step Description
  ['00400011', 'X'], // Scheduled Procedure Step Location
  ['00400002', 'X'], // Scheduled Procedure Step Start Date
  ['00400003', 'X'], // Scheduled Procedure Step Start Time
  ['00400001', 'X'], // Scheduled Station AE Title
  ['00404027', 'X'], // Scheduled Station Geographic Location Code Sequence
  ['00400010', 'X'], // Scheduled Station Name
  ['00404025', 'X'], // Scheduled Station Name Code Sequence
  ['00321020', 'X'], // Scheduled Study Location
  ['00321021', 'X'], // Scheduled Study Location AE Title
  ['00181012', 'X'], // Date of Secondary Capture
  ['00181014', 'X'], // Time of Secondary Capture
  ['00080021', 'X'], // Series Date
  ['0008103E', 'X'], // Series Description
  ['0020000E', 'U'], // Series Instance UID
  ['00080031', 'X'], // Series Time
  ['00380062', 'X'], // Service Episode Description
  ['00380060', 'X'], // Service Episode ID
  ['001021A0', 'X'], // Smoking Status
  ['00080018', 'U'], // SOP Instance UID
  ['00082112', 'X/Z/U*'], // Source Image Sequence
  ['00100026', 'X'], // Source Patient Group Identification Sequence
  ['00100027', 'X'], // Group of Patients Identification Sequence
  ['00380050', 'X'], // Special Needs
  ['00081010', 'X/Z/D'], // Station Name
  ['00880140', 'U'], // Storage Media File-set UID
  ['00324000', 'X'], // Study Comments
  ['00080020', 'Z'], // Study Date
  ['00081030', 'X'], // Study Description
  ['00200010', 'Z'], // Study ID
  ['00320012', 'X'], // Study ID Issuer
  ['0020000D', 'U'], // Study Instance UID
  ['00080030', 'Z'], // Study Time
  ['00200200', 'U'], // Synchronization Frame of Reference UID
  ['0040DB0D', 'U'], // Template Extension Creator UID
  ['0040DB0C', 'U'], // Template Extension Organization UID
  ['40004000', 'X'], // Text Comments
  ['20300020', 'X'], // Text String
  ['00080201', 'X'], // Timezone Offset From UTC
  ['00880910', 'X'], // Topic Author
  ['00880912', 'X'], // Topic Keywords
  ['00880906', 'X'], // Topic Subject
  ['00880904', 'X'], // Topic Title
  ['00081195', 'U'], // Transaction UID
  ['0040A124', 'U'], // UID
  ['0040A088', 'Z'], // Verifying Observer Identification Code Sequence
  ['0040A075', 'D'], // Verifying Observer Name
  ['0040A073', 'D'], // Verifying Observer Sequence
  ['0040A027', 'X'], // Verifying Organization
  ['00384000', 'X'], // Visit Comments
];
