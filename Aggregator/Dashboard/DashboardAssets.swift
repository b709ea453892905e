/// The dashboard's files (index.html, app.js, app.css in this folder), embedded by SwiftPM at build time: the
/// aggregator's binary serves them with no file beside it and no framework build step.
public enum DashboardAssets {
    public static var page: [UInt8] { PackageResources.index_html }
    public static var script: [UInt8] { PackageResources.app_js }
    public static var style: [UInt8] { PackageResources.app_css }
}
