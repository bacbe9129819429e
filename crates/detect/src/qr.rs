//! placeholder
pub(crate) fn analyze_attachments(
    _a: &crate::Analyzer,
    _at: &[crate::Attachment],
    _s: &mut crate::Scratch,
    _f: &mut crate::Facts,
) {
}
